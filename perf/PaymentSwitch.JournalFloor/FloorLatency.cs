using PaymentSwitch.Metrics;

namespace PaymentSwitch.JournalFloor;

/// <summary>Percentiles of one latency distribution, in milliseconds.</summary>
internal readonly record struct FloorLatency(long Count, double P50Ms, double P90Ms, double P99Ms, double P999Ms, double MaxMs)
{
    public static FloorLatency Of(HdrHistogram micros) => new(
        micros.TotalCount,
        micros.GetValueAtPercentile(50) / 1000.0,
        micros.GetValueAtPercentile(90) / 1000.0,
        micros.GetValueAtPercentile(99) / 1000.0,
        micros.GetValueAtPercentile(99.9) / 1000.0,
        micros.Max / 1000.0);

    public override string ToString() => $"p50 {P50Ms:F3}  p90 {P90Ms:F3}  p99 {P99Ms:F3}  p99.9 {P999Ms:F3}  max {MaxMs:F3} ms  (n={Count:N0})";
}
