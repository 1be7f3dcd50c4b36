using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using PaymentSwitch.IdleConnections;

// Opens N TCP connections to a listener and holds them open without sending a byte, so the listener's memory per
// idle connection can be measured (perf/e2e.sh reads the switch's VmRSS while they are held).
//
//   dotnet run -c Release --project perf/PaymentSwitch.IdleConnections -- --target 127.0.0.1:5000 --connections 10000
//
// Source addresses rotate over 127.0.0.1, 127.0.0.2, … (--per-source connections each) so that a per-source-address
// connection cap on the listener and the ephemeral port range are not what limits the count; loopback only.
// Output: "opened N of M …" on stdout once every connect has finished, then, on SIGTERM/SIGINT or after --hold, one
// JSON line with the final counts. Exit 0 when every connection opened and none was closed by the peer, 1 otherwise,
// 2 for bad arguments.

IdleOptions options;
try
{
    options = IdleOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine("error: " + ex.Message);
    Console.Error.WriteLine(IdleOptions.Usage);
    return 2;
}
if (options.HelpRequested)
{
    Console.Out.WriteLine(IdleOptions.Usage);
    return 0;
}

using var stop = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

var pool = new IdleConnectionPool(options);
var clock = Stopwatch.StartNew();
await pool.OpenAllAsync(stop.Token).ConfigureAwait(false);
Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"opened {pool.Opened} of {options.Connections} in {clock.Elapsed.TotalSeconds:0.00} s ({pool.Failed} failed{pool.FirstErrorSuffix})"));
Console.Out.Flush();

try
{
    await Task.Delay(options.Hold, stop.Token).ConfigureAwait(false);
}
catch (OperationCanceledException)
{
    // SIGTERM / SIGINT: report and leave.
}

IdleSummary summary = pool.Summarise();
pool.CloseAll();
Console.Out.WriteLine(summary.ToJson());
return summary.Opened == options.Connections && summary.ClosedByPeer == 0 && summary.UnexpectedBytes == 0 ? 0 : 1;
