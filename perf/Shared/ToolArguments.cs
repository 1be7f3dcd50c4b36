using System.Globalization;

namespace PaymentSwitch.PerfTools;

/// <summary>
/// The command line of the small perf tools: <c>--name value</c> pairs and <c>-h</c>/<c>--help</c>. Compiled into each
/// tool (linked source), which turns each pair into its options and reports bad ones as <see cref="ArgumentException"/>.
/// </summary>
internal static class ToolArguments
{
    /// <summary>Hands each <c>--name value</c> pair to <paramref name="apply"/>, in order. False when help was asked for.</summary>
    public static bool ForEachPair(string[] args, Action<string, string> apply)
    {
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name is "-h" or "--help") return false;
            if (i + 1 >= args.Length) throw new ArgumentException($"{name} needs a value.");
            apply(name, args[++i]);
        }
        return true;
    }

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/> (underscores allowed as separators).</summary>
    public static int WholeNumber(string name, string value, int min, int max)
    {
        if (!int.TryParse(value.Replace("_", "", StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out int result)
            || result < min || result > max)
            throw new ArgumentException($"{name} must be a whole number from {min} to {max}, not '{value}'.");
        return result;
    }
}
