namespace PaymentSwitch.Core.Metrics;

/// <summary>
/// What <see cref="SwitchMetrics"/> published at its last sample (once a second): throughput history and latency
/// percentiles. Immutable: readers take the reference and use it without a lock.
/// </summary>
public sealed class SwitchMetricsSnapshot
{
    /// <summary>Length of the "last minute" latency window.</summary>
    public const int WindowSeconds = Internal.LatencyWindow.SlotCount * Internal.LatencyWindow.SlotSeconds;

    internal SwitchMetricsSnapshot(
        DateTimeOffset takenAtUtc, double answersPerSecondLastSecond, long answersLastMinute, long[] answersPerSecond,
        double[] p99MsPerSecond, LatencySummary lastMinute, LatencySummary sinceStart, IReadOnlyList<IssuerLatencySnapshot> issuers,
        LatencySummary fsyncLastMinute, LatencySummary fsyncSinceStart)
    {
        FsyncLastMinute = fsyncLastMinute;
        FsyncSinceStart = fsyncSinceStart;
        TakenAtUtc = takenAtUtc;
        AnswersPerSecondLastSecond = answersPerSecondLastSecond;
        AnswersLastMinute = answersLastMinute;
        AnswersPerSecond = answersPerSecond;
        P99MsPerSecond = p99MsPerSecond;
        LastMinute = lastMinute;
        SinceStart = sinceStart;
        Issuers = issuers;
    }

    /// <summary>An empty snapshot (before the first sample).</summary>
    public static SwitchMetricsSnapshot Empty { get; } =
        new(DateTimeOffset.UnixEpoch, 0, 0, [], [], LatencySummary.Empty, LatencySummary.Empty, [], LatencySummary.Empty, LatencySummary.Empty);

    /// <summary>When the sample was taken; the last entry of the histories is the second that ended then.</summary>
    public DateTimeOffset TakenAtUtc { get; }

    /// <summary>Answers per second over the last sample interval (about one second).</summary>
    public double AnswersPerSecondLastSecond { get; }

    /// <summary>Answers in the last 60 samples (about a minute; less right after the start).</summary>
    public long AnswersLastMinute { get; }

    /// <summary>Answers in each sampled second, oldest first, at most <see cref="SwitchMetrics.HistorySeconds"/> entries.</summary>
    public IReadOnlyList<long> AnswersPerSecond { get; }

    /// <summary>The 99th percentile latency (ms) of each sampled second, parallel to <see cref="AnswersPerSecond"/> (0 when none).</summary>
    public IReadOnlyList<double> P99MsPerSecond { get; }

    /// <summary>All answers of the last <see cref="WindowSeconds"/> seconds (in 10-second steps).</summary>
    public LatencySummary LastMinute { get; }

    /// <summary>All answers since the metrics started.</summary>
    public LatencySummary SinceStart { get; }

    /// <summary>Per issuer, in directory order, then the answers the switch gave itself.</summary>
    public IReadOnlyList<IssuerLatencySnapshot> Issuers { get; }

    /// <summary>
    /// The journal's fdatasync durations over the last minute (count, mean, percentiles, in milliseconds); empty
    /// without a journal or in a durability mode that never syncs.
    /// </summary>
    public LatencySummary FsyncLastMinute { get; }

    /// <summary>The journal's fdatasync durations since the switch started.</summary>
    public LatencySummary FsyncSinceStart { get; }
}
