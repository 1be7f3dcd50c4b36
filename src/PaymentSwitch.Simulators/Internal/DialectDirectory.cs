namespace PaymentSwitch.Simulators.Internal;

/// <summary>Where the simulators look for dialect files when none is configured.</summary>
internal static class DialectDirectory
{
    /// <summary>
    /// <paramref name="configured"/> when given; else <c>config/dialects</c> under the current directory when it exists
    /// (running from the repository); else <c>dialects</c> next to the executable (copied there by the build).
    /// </summary>
    public static string Resolve(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured)) return configured;
        string inRepository = Path.Combine(Environment.CurrentDirectory, "config", "dialects");
        if (Directory.Exists(inRepository)) return inRepository;
        return Path.Combine(AppContext.BaseDirectory, "dialects");
    }
}
