using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace PaymentSwitch.Integration.Tests.Support;

/// <summary>The switch executable (PaymentSwitch.dll, built beside the tests) run as a real process.</summary>
internal sealed partial class SwitchProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _standardOutput = new();
    private readonly object _gate = new();

    private SwitchProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_gate)
            {
                _output.AppendLine(e.Data);
                _standardOutput.AppendLine(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_gate) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>
    /// What the switch logs once its acquirer listener (named "pos" in the tests' configurations) accepts connections.
    /// Not just "listening on": the operator endpoint and the embedded simulators log that too, and earlier.
    /// </summary>
    public const string AcquirerListening = "Acquirer listener 'pos' listening";

    public static string Executable => Path.Combine(AppContext.BaseDirectory, "PaymentSwitch.dll");

    public string Output { get { lock (_gate) return _output.ToString(); } }

    /// <summary>Standard output alone (<see cref="Output"/> interleaves it with standard error in arrival order).</summary>
    public string StandardOutput { get { lock (_gate) return _standardOutput.ToString(); } }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static SwitchProcess Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Executable);
        foreach (string a in args) info.ArgumentList.Add(a);
        return new SwitchProcess(Process.Start(info)!);
    }

    /// <summary>Runs to completion (for verbs); returns exit code and everything printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(int timeoutMs, params string[] args)
    {
        await using SwitchProcess p = Start(args);
        using var timeout = new CancellationTokenSource(timeoutMs);
        await p._process.WaitForExitAsync(timeout.Token);
        p._process.WaitForExit(); // drain the output readers
        return (p.ExitCode, p.Output);
    }

    /// <summary>As <see cref="RunAsync"/>, with standard output also on its own (for output to parse, such as JSON).</summary>
    public static async Task<(int ExitCode, string StandardOutput, string Output)> RunCapturedAsync(int timeoutMs, params string[] args)
    {
        await using SwitchProcess p = Start(args);
        using var timeout = new CancellationTokenSource(timeoutMs);
        await p._process.WaitForExitAsync(timeout.Token);
        p._process.WaitForExit(); // drain the output readers
        return (p.ExitCode, p.StandardOutput, p.Output);
    }

    public async Task<bool> WaitForOutputAsync(string text, int timeoutMs)
    {
        DateTime deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (DateTime.UtcNow < deadline)
        {
            if (Output.Contains(text, StringComparison.Ordinal)) return true;
            if (_process.HasExited) return Output.Contains(text, StringComparison.Ordinal);
            await Task.Delay(25);
        }
        return false;
    }

    /// <summary>SIGTERM, as a service manager stops it.</summary>
    public void Terminate() => _ = Kill(_process.Id, 15);

    /// <summary>SIGKILL: no chance to clean up.</summary>
    public void KillHard() => _ = Kill(_process.Id, 9);

    public async Task<int> WaitForExitAsync(int timeoutMs)
    {
        using var timeout = new CancellationTokenSource(timeoutMs);
        await _process.WaitForExitAsync(timeout.Token);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>A loopback port that was free a moment ago.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
