namespace PaymentSwitch.LoadTest;

/// <summary>One progress interval (normally one second) of a run.</summary>
/// <param name="ElapsedSeconds">Seconds since the schedule started, at the end of the interval.</param>
/// <param name="Warmup">True while the interval's end is in the warm-up.</param>
/// <param name="SentPerSecond">Requests sent per second in the interval.</param>
/// <param name="AnsweredPerSecond">Answers received per second in the interval.</param>
/// <param name="Errors">Errors counted in the interval.</param>
/// <param name="InFlight">Requests in flight at the end of the interval.</param>
/// <param name="Backlogged">Requests that found the in-flight bound reached, in the interval.</param>
/// <param name="P50Micros">Median latency (from intended send time) of the answers of the interval.</param>
/// <param name="P99Micros">99th percentile of the interval.</param>
/// <param name="MaxMicros">Largest latency of the interval.</param>
/// <param name="CumulativeP99Micros">99th percentile of everything recorded so far (measured part, or warm-up while in it).</param>
public sealed record LoadInterval(
    double ElapsedSeconds,
    bool Warmup,
    double SentPerSecond,
    double AnsweredPerSecond,
    long Errors,
    long InFlight,
    long Backlogged,
    long P50Micros,
    long P99Micros,
    long MaxMicros,
    long CumulativeP99Micros);
