using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using PaymentSwitch.Iso8583;
using PaymentSwitch.Simulators;
using PaymentSwitch.Simulators.Internal;

// The issuer simulators' executable: `card` (ISO 8583 over TCP) or `wallet` (JSON over HTTP). See --help.
// Exit codes: 0 stopped by Ctrl-C or SIGTERM; 1 could not start (address in use, …); 2 bad arguments.

// Socket completions run on the socket engine's threads (unless the environment says otherwise): an issuer answer is
// built and sent without a hop through the thread pool, which leaves more of a shared machine to the switch under
// test. Nothing the simulators run there blocks (held answers wait on the reply scheduler). Set before any socket.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");

if (SimulatorCommandLine.IsHelp(args))
{
    Console.Out.WriteLine(SimulatorCommandLine.Usage);
    return 0;
}

SimulatorCommand command;
try
{
    command = SimulatorCommandLine.Parse(args);
    if (command.Card is { Dialect: null } card)
    {
        // Load the dialect now so a wrong name or folder is an argument error, not a start failure.
        card.Dialect = DialectLoader.LoadByName(DialectDirectory.Resolve(card.DialectDirectory), card.DialectName);
    }
}
catch (Exception ex) when (ex is CommandLineException or DialectException or ArgumentException)
{
    Console.Error.WriteLine("error: " + ex.Message);
    Console.Error.WriteLine("Run with --help for usage.");
    return 2;
}

using ILoggerFactory loggerFactory = LoggerFactory.Create(logging => logging
    .SetMinimumLevel(command.LogLevel)
    .AddSimpleConsole(console =>
    {
        console.SingleLine = true;
        console.TimestampFormat = "HH:mm:ss.fff ";
    }));
ILogger logger = loggerFactory.CreateLogger(command.Kind == SimulatorKind.Card ? "PaymentSwitch.Simulators.Card" : "PaymentSwitch.Simulators.Wallet");

using var stop = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

IAsyncDisposable simulator;
try
{
    if (command.Kind == SimulatorKind.Card)
    {
        var cardSimulator = new CardIssuerSimulator(command.Card!, logger);
        simulator = cardSimulator;
        await cardSimulator.StartAsync(stop.Token);
    }
    else
    {
        var walletSimulator = new WalletIssuerSimulator(command.Wallet!, logger);
        simulator = walletSimulator;
        await walletSimulator.StartAsync(stop.Token);
    }
}
catch (Exception ex) when (ex is SocketException or IOException or DialectException or OperationCanceledException)
{
    logger.LogError("Could not start the {Kind} issuer simulator: {Reason}", command.Kind.ToString().ToLowerInvariant(), ex.Message);
    return 1;
}

try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
    // Ctrl-C or SIGTERM.
}
await simulator.DisposeAsync();
return 0;
