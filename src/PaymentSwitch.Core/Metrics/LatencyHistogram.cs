namespace PaymentSwitch.Core.Metrics;

/// <summary>
/// A cumulative latency histogram with fixed bucket bounds (<see cref="SwitchMetrics.LatencyBucketBoundsSeconds"/>),
/// as the Prometheus exposition format wants it: <see cref="CumulativeCounts"/>[i] answers took at most bound i; the
/// last entry (the <c>+Inf</c> bucket) equals <see cref="Count"/>.
/// </summary>
/// <param name="IssuerId">The issuer's id, or <see cref="SwitchMetrics.SwitchAnsweredLabel"/>.</param>
/// <param name="CumulativeCounts">One more entry than there are bounds; never decreasing.</param>
/// <param name="SumSeconds">Sum of all latencies.</param>
public sealed record LatencyHistogram(string IssuerId, IReadOnlyList<long> CumulativeCounts, double SumSeconds)
{
    /// <summary>Answers counted (the <c>+Inf</c> bucket).</summary>
    public long Count => CumulativeCounts[^1];
}
