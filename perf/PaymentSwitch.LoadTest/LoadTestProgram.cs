using PaymentSwitch.Iso8583;
using PaymentSwitch.LoadTest.Reports;

namespace PaymentSwitch.LoadTest;

/// <summary>The command-line entry: parse, load the dialect, run, write the reports, return the exit status.</summary>
public static class LoadTestProgram
{
    /// <summary>Every answer checked out.</summary>
    public const int ExitPassed = 0;
    /// <summary>Errors were counted, an open-loop run fell short of its target rate, the target was unreachable, or a report could not be written.</summary>
    public const int ExitFailed = 1;
    /// <summary>Bad arguments (or a dialect that cannot be loaded).</summary>
    public const int ExitUsage = 2;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        LoadTestCommandLineResult parsed = LoadTestCommandLine.Parse(args);
        if (parsed.HelpRequested)
        {
            stdout.WriteLine(LoadTestCommandLine.HelpText);
            return ExitPassed;
        }
        if (parsed.Options is not LoadTestOptions options)
        {
            foreach (string error in parsed.Errors) stderr.WriteLine("error: " + error);
            stderr.WriteLine("Run with --help for usage.");
            return ExitUsage;
        }

        string? directory = DialectLocator.Resolve(options.DialectsDirectory, Directory.GetCurrentDirectory(), AppContext.BaseDirectory, out string searched);
        if (directory is null)
        {
            stderr.WriteLine($"error: no dialect directory found (looked in {searched}); give one with --dialects DIR.");
            return ExitUsage;
        }
        Dialect dialect;
        try
        {
            dialect = DialectLoader.LoadByName(directory, options.DialectName);
        }
        catch (DialectException ex)
        {
            stderr.WriteLine($"error: dialect '{options.DialectName}': {ex.Message}");
            return ExitUsage;
        }

        IReadOnlyList<int> missing = LoadTestRunner.MissingFields(dialect);
        if (missing.Count > 0)
        {
            stderr.WriteLine($"error: dialect '{dialect.Name}' does not define field(s) {string.Join(", ", missing)}, which the harness sends or checks.");
            return ExitUsage;
        }

        if (!options.Quiet)
        {
            string pacing = options.IsClosedLoop ? "closed loop" : $"{options.RatePerSecond:N0}/s";
            stderr.WriteLine($"Load test: {options.Connections} {(options.Mode == LoadTestMode.Terminals ? "terminals" : "acquirer connections")} -> {options.TargetHost}:{options.TargetPort}, {pacing}, warm-up {options.Warmup.TotalSeconds:0.###} s + {options.Duration.TotalSeconds:0.###} s (Ctrl+C ends early)");
        }

        LoadTestResult result = await LoadTestRunner.RunAsync(options, dialect, options.Quiet ? null : stderr, cancellationToken).ConfigureAwait(false);
        TextReport.Write(result, stdout);

        bool written = true;
        written &= TryWrite(stderr, options.JsonPath, "JSON report", path =>
        {
            using FileStream stream = File.Create(path);
            JsonReport.Write(result, stream);
        });
        written &= TryWrite(stderr, options.HgrmPath, ".hgrm", path =>
        {
            using var writer = new StreamWriter(path);
            HgrmReport.Write(result.Latency, writer);
        });
        written &= TryWrite(stderr, options.ChartPath, "chart", path => LatencyChart.WriteFile(result, path));
        return result.Passed && written ? ExitPassed : ExitFailed;
    }

    private static bool TryWrite(TextWriter stderr, string? path, string what, Action<string> write)
    {
        if (path is null) return true;
        try
        {
            string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (dir is not null) Directory.CreateDirectory(dir);
            write(path);
            stderr.WriteLine($"Wrote {what} to {path}");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"error: cannot write the {what} to {path}: {ex.Message}");
            return false;
        }
    }
}
