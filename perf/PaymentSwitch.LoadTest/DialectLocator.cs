namespace PaymentSwitch.LoadTest;

/// <summary>Finds the dialect directory: the one given, else <c>config/dialects</c> under the current directory, else <c>dialects</c> beside the executable.</summary>
public static class DialectLocator
{
    /// <summary>The directory to load dialects from, or null (with the places searched in <paramref name="searched"/>).</summary>
    public static string? Resolve(string? explicitDirectory, string currentDirectory, string baseDirectory, out string searched)
    {
        if (explicitDirectory is not null)
        {
            searched = explicitDirectory;
            return Directory.Exists(explicitDirectory) ? explicitDirectory : null;
        }
        string inConfig = Path.Combine(currentDirectory, "config", "dialects");
        string besideExe = Path.Combine(baseDirectory, "dialects");
        searched = $"{inConfig}, {besideExe}";
        if (Directory.Exists(inConfig)) return inConfig;
        if (Directory.Exists(besideExe)) return besideExe;
        return null;
    }
}
