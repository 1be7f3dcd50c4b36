using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace PaymentSwitch.Simulators.Tests.Support;

/// <summary>The built simulators executable run as a real process (<c>dotnet PaymentSwitch.Simulators.dll …</c>), its output captured.</summary>
internal sealed partial class SimulatorProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly SemaphoreSlim _lineArrived = new(0);

    private SimulatorProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            _stdout.Enqueue(e.Data);
            _lineArrived.Release();
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) _stderr.Enqueue(e.Data);
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Stdout => string.Join('\n', _stdout);
    public string Stderr => string.Join('\n', _stderr);
    public int Id => _process.Id;

    public static SimulatorProcess Start(params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "PaymentSwitch.Simulators.dll");
        Assert.True(File.Exists(dll), "The simulators executable is missing: " + dll);
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        info.ArgumentList.Add(dll);
        foreach (string arg in args) info.ArgumentList.Add(arg);
        return new SimulatorProcess(Process.Start(info)!);
    }

    /// <summary>Waits for a stdout line matching <paramref name="pattern"/> and returns its first group.</summary>
    public async Task<string> WaitForLineAsync(Regex pattern, int timeoutMs = 20_000)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            foreach (string line in _stdout)
            {
                Match match = pattern.Match(line);
                if (match.Success) return match.Groups[1].Value;
            }
            if (_process.HasExited) throw new InvalidOperationException($"The simulator exited ({_process.ExitCode}) before logging '{pattern}'.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
            int left = timeoutMs - (int)clock.ElapsedMilliseconds;
            if (left <= 0) throw new TimeoutException($"No line matching '{pattern}'.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
            await _lineArrived.WaitAsync(Math.Min(left, 200));
        }
    }

    /// <summary>Sends SIGTERM, as a service manager would.</summary>
    public void Terminate()
    {
        Assert.Equal(0, kill(_process.Id, 15));
    }

    public async Task<int> WaitForExitAsync(int timeoutMs = 20_000)
    {
        using var timeout = new CancellationTokenSource(timeoutMs);
        await _process.WaitForExitAsync(timeout.Token);
        _process.WaitForExit(); // drains the redirected output
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
