using System.Diagnostics.Metrics;
using System.Text;

namespace PaymentSwitch.Host.Status;

/// <summary>
/// Turns a <see cref="System.Diagnostics.Metrics"/> instrument into its Prometheus metric name the way the
/// OpenTelemetry Prometheus exporter does: dots (and anything else outside <c>[a-zA-Z0-9_:]</c>) become underscores,
/// the unit is appended as a word (<c>s</c> → <c>_seconds</c>, <c>By</c> → <c>_bytes</c>, <c>{answer}/s</c> →
/// <c>_per_second</c>; annotations in braces and <c>1</c> add nothing), and counters end in <c>_total</c>.
/// </summary>
internal static class PrometheusNames
{
    public static string MetricName(Instrument instrument)
    {
        string name = Sanitise(instrument.Name);
        string suffix = UnitSuffix(instrument.Unit);
        if (suffix.Length > 0 && !name.EndsWith("_" + suffix, StringComparison.Ordinal)) name += "_" + suffix;
        if (IsCounter(instrument) && !name.EndsWith("_total", StringComparison.Ordinal)) name += "_total";
        return name;
    }

    /// <summary><c>counter</c>, <c>gauge</c> or <c>histogram</c>.</summary>
    public static string TypeOf(Instrument instrument) =>
        IsCounter(instrument) ? "counter" : IsHistogram(instrument) ? "histogram" : "gauge";

    public static bool IsCounter(Instrument instrument)
    {
        Type type = instrument.GetType();
        if (!type.IsGenericType) return false;
        Type definition = type.GetGenericTypeDefinition();
        return definition == typeof(Counter<>) || definition == typeof(ObservableCounter<>);
    }

    public static bool IsHistogram(Instrument instrument) =>
        instrument.GetType() is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(Histogram<>);

    private static string UnitSuffix(string? unit)
    {
        if (string.IsNullOrEmpty(unit) || unit == "1") return "";
        int slash = unit.IndexOf('/');
        if (slash >= 0)
        {
            string numerator = UnitWord(unit[..slash]);
            string denominator = unit[(slash + 1)..] switch { "s" => "second", "min" => "minute", "h" => "hour", var other => UnitWord(other) };
            return numerator.Length == 0 ? "per_" + denominator : numerator + "_per_" + denominator;
        }
        return UnitWord(unit);
    }

    private static string UnitWord(string unit) => unit switch
    {
        "s" => "seconds",
        "ms" => "milliseconds",
        "us" => "microseconds",
        "By" => "bytes",
        "1" => "",
        _ when unit.StartsWith('{') && unit.EndsWith('}') => "",
        _ => Sanitise(unit),
    };

    private static string Sanitise(string name)
    {
        var result = new StringBuilder(name.Length);
        foreach (char c in name)
            result.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or ':' ? c : '_');
        if (result.Length > 0 && char.IsAsciiDigit(result[0])) result.Insert(0, '_');
        return result.ToString();
    }
}
