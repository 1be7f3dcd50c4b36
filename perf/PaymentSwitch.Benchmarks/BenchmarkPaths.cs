namespace PaymentSwitch.Benchmarks;

/// <summary>Where the repository's data lives, found from the benchmark's working directory or its binaries.</summary>
internal static class BenchmarkPaths
{
    public static string Root { get; } = FindRoot();

    public static string Dialects => Path.Combine(Root, "config", "dialects");

    private static string FindRoot()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "PaymentSwitch.sln"))) return dir.FullName;
        throw new InvalidOperationException("Run the benchmarks from inside the repository (PaymentSwitch.sln not found).");
    }
}
