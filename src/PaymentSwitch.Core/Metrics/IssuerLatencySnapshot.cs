namespace PaymentSwitch.Core.Metrics;

/// <summary>Latency of the answers for one issuer (or <see cref="SwitchMetrics.SwitchAnsweredLabel"/>).</summary>
/// <param name="IssuerId">The issuer's id, or <see cref="SwitchMetrics.SwitchAnsweredLabel"/> for answers the switch gave itself.</param>
/// <param name="LastMinute">Answers of the last minute (see <see cref="SwitchMetricsSnapshot.WindowSeconds"/>).</param>
/// <param name="SinceStart">Every answer since the metrics started.</param>
public sealed record IssuerLatencySnapshot(string IssuerId, LatencySummary LastMinute, LatencySummary SinceStart);
