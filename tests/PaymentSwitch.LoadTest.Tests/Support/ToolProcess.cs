using System.Diagnostics;

namespace PaymentSwitch.LoadTest.Tests.Support;

/// <summary>Runs one of the perf tools built beside the tests (<c>dotnet TOOL.dll args</c>) and collects its output.</summary>
internal static class ToolProcess
{
    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(
        string dll, string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (string a in args) start.ArgumentList.Add(a);
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
