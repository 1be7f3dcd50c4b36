namespace PaymentSwitch.Core.Metrics;

/// <summary>
/// Percentiles of answer latency (request received to answer written, in milliseconds) from an HDR histogram with
/// three significant digits: each figure is at most 0.1% above the exact value, never below it.
/// </summary>
/// <param name="Count">Answers counted.</param>
/// <param name="MeanMs">Mean latency.</param>
/// <param name="P50Ms">Median.</param>
/// <param name="P90Ms">90th percentile.</param>
/// <param name="P99Ms">99th percentile.</param>
/// <param name="P999Ms">99.9th percentile.</param>
/// <param name="MaxMs">Largest latency seen (exact).</param>
public readonly record struct LatencySummary(long Count, double MeanMs, double P50Ms, double P90Ms, double P99Ms, double P999Ms, double MaxMs)
{
    /// <summary>No answers.</summary>
    public static LatencySummary Empty => default;
}
