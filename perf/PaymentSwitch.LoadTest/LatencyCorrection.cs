namespace PaymentSwitch.LoadTest;

/// <summary>
/// How a run's latency figures account for coordinated omission (requests that a stalled target keeps the harness
/// from sending, and that a naive measurement would leave out). Which applies follows from the pacing.
/// </summary>
public enum LatencyCorrection
{
    /// <summary>
    /// Open loop (acquirer mode, or terminals with a rate): every request is timed from its intended send time in the
    /// schedule, so time it spent held back by a stalled target counts.
    /// </summary>
    IntendedSendTime,

    /// <summary>
    /// Closed-loop terminals with a think time: each answer's latency V is recorded with the think time T as the
    /// expected interval (HdrHistogram's RecordWithExpectedInterval), which adds V - T, V - 2T, … for the requests the
    /// terminal would have sent while it waited.
    /// </summary>
    ExpectedInterval,

    /// <summary>
    /// Closed-loop terminals without a think time: there is neither a schedule nor an interval to correct against,
    /// so the figures are not corrected; a stall shows as one slow answer per terminal.
    /// </summary>
    None,
}
