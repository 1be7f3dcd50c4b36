using PaymentSwitch.Metrics;

namespace PaymentSwitch.LoadTest;

/// <summary>
/// Outcome of a run: counts, errors by kind, response codes, latency histograms (microseconds) and the harness's own
/// cost. <see cref="Passed"/> is false when any error was counted, an open-loop run achieved less than
/// <see cref="RequiredShareOfTargetRate"/> of its target rate, or the run could not start.
/// </summary>
public sealed class LoadTestResult
{
    internal LoadTestResult(LoadTestOptions options, HdrHistogram latency, HdrHistogram serviceTime, HdrHistogram schedulerLag)
    {
        Options = options;
        Latency = latency;
        ServiceTime = serviceTime;
        SchedulerLag = schedulerLag;
    }

    public LoadTestOptions Options { get; }

    /// <summary>Why the run could not take place (target unreachable, …); null when it ran.</summary>
    public string? FatalError { get; internal set; }

    /// <summary>An open-loop run whose achieved rate is below this share of its target rate fails.</summary>
    public const double RequiredShareOfTargetRate = 0.95;

    /// <summary>True when the run took place, counted no error of any kind and (open loop) achieved its target rate.</summary>
    public bool Passed => FatalError is null && TotalErrors == 0 && !FellShortOfTargetRate;

    /// <summary>
    /// True for an open-loop run whose <see cref="AchievedRatePerSecond"/> is below <see cref="RequiredShareOfTargetRate"/>
    /// of the target: the target (or the harness) did not keep up. Closed-loop runs have no target rate.
    /// </summary>
    public bool FellShortOfTargetRate =>
        FatalError is null && !Options.IsClosedLoop && AchievedRatePerSecond < RequiredShareOfTargetRate * Options.RatePerSecond;

    /// <summary>Dialect and framing used, for the report header.</summary>
    public string Wire { get; internal set; } = "";

    /// <summary>When the schedule started (UTC).</summary>
    public DateTimeOffset StartedAt { get; internal set; }

    /// <summary>Length of the measured window actually run (shorter than the duration after Ctrl+C).</summary>
    public double MeasuredSeconds { get; internal set; }

    /// <summary>Wall time from the first connect to the end of the drain.</summary>
    public double WallSeconds { get; internal set; }

    public long Sent { get; internal set; }
    public long Answered { get; internal set; }
    public long AnsweredOk { get; internal set; }
    public long MeasuredSent { get; internal set; }
    public long MeasuredAnswered { get; internal set; }
    public long MeasuredOk { get; internal set; }

    /// <summary>Time from the first answer to a measured request to the last one (seconds; 0 when none).</summary>
    public double MeasuredAnswerSpanSeconds { get; internal set; }

    /// <summary>Time from the first send of a measured request to the last one (seconds; 0 when none).</summary>
    public double MeasuredSendSpanSeconds { get; internal set; }

    /// <summary>
    /// The rate the target actually sustained: answers to measured requests divided by the longer of the measured
    /// window and <see cref="MeasuredAnswerSpanSeconds"/>. Answers keep arriving for up to a timeout after the
    /// schedule ends; a target that answers more slowly than requests come spreads them over a longer span, and the
    /// rate is taken over that span rather than over the nominal window.
    /// </summary>
    public double AchievedRatePerSecond => RatePer(MeasuredAnswered, MeasuredAnswerSpanSeconds);

    /// <summary>Measured requests sent per second, over the longer of the measured window and <see cref="MeasuredSendSpanSeconds"/>.</summary>
    public double SentRatePerSecond => RatePer(MeasuredSent, MeasuredSendSpanSeconds);

    private double RatePer(long count, double spanSeconds)
    {
        double seconds = Math.Max(MeasuredSeconds, spanSeconds);
        return seconds > 0 ? count / seconds : 0;
    }

    /// <summary>Requests that found the per-connection in-flight bound reached and had to wait (not an error).</summary>
    public long Backlogged { get; internal set; }

    /// <summary>Answers that came after their request had timed out (the timeout is the error; these are informational).</summary>
    public long LateAnswers { get; internal set; }

    public long ReversalsSent { get; internal set; }

    /// <summary>Reversals drawn by the mix when no approved transaction was left to reverse (a new transaction went instead).</summary>
    public long ReversalsUnavailable { get; internal set; }

    /// <summary>Error counts by kind (every kind present, zero included).</summary>
    public IReadOnlyDictionary<LoadErrorKind, long> Errors { get; internal set; } = new Dictionary<LoadErrorKind, long>();

    public long TotalErrors { get; internal set; }

    /// <summary>Answers by DE39 ("00", "05", …; "other" for values that are not two digits).</summary>
    public IReadOnlyDictionary<string, long> ResponseCodes { get; internal set; } = new Dictionary<string, long>();

    /// <summary>
    /// Latency of measured requests from their intended send time (µs), corrected for coordinated omission as
    /// <see cref="LatencyCorrection"/> says. Requests without an answer count too, at the time they were given up: a
    /// timeout at its expiry, one in flight on a connection that broke at the break, one due while its connection was
    /// down when the connection was back (or the run ended), one never sent at the end of the run.
    /// </summary>
    public HdrHistogram Latency { get; }

    /// <summary>How <see cref="Latency"/> accounts for coordinated omission, which follows from the pacing.</summary>
    public LatencyCorrection LatencyCorrection => CorrectionFor(Options);

    internal static LatencyCorrection CorrectionFor(LoadTestOptions options) =>
        !options.IsClosedLoop ? LatencyCorrection.IntendedSendTime
        : options.ThinkTime > TimeSpan.Zero ? LatencyCorrection.ExpectedInterval
        : LatencyCorrection.None;

    /// <summary>Time from the actual send to the answer of measured requests (µs): what a closed-loop tool would report.</summary>
    public HdrHistogram ServiceTime { get; }

    /// <summary>
    /// How late the scheduler sent each measured request after its intended time (µs), leaving out requests held back by the
    /// target (the in-flight bound reached, or a send pending because the target was not reading): the harness's own
    /// delay (tick granularity, CPU starvation).
    /// </summary>
    public HdrHistogram SchedulerLag { get; }

    public IReadOnlyList<LoadInterval> Intervals { get; internal set; } = [];

    /// <summary>The first error descriptions (bounded; no card numbers).</summary>
    public IReadOnlyList<string> ErrorSamples { get; internal set; } = [];

    /// <summary>CPU time the harness process used during the run.</summary>
    public double HarnessCpuSeconds { get; internal set; }

    /// <summary>Bytes the harness allocated during the measured window, per measured request sent.</summary>
    public double AllocatedBytesPerRequest { get; internal set; }

    public int Gen0Collections { get; internal set; }
    public int Gen1Collections { get; internal set; }
    public int Gen2Collections { get; internal set; }

    /// <summary>Harness CPU as a share of the machine (100% = every core busy).</summary>
    public double HarnessCpuPercentOfMachine => WallSeconds > 0 ? 100.0 * HarnessCpuSeconds / (WallSeconds * Environment.ProcessorCount) : 0;

    /// <summary>Harness CPU microseconds per request sent.</summary>
    public double HarnessCpuMicrosPerRequest => Sent > 0 ? HarnessCpuSeconds * 1e6 / Sent : 0;

    /// <summary>Latency at a percentile, in milliseconds.</summary>
    public double LatencyMs(double percentile) => Latency.GetValueAtPercentile(percentile) / 1000.0;

    /// <summary>The kebab-case name of an error kind as it appears in the reports.</summary>
    public static string KindName(LoadErrorKind kind) => kind switch
    {
        LoadErrorKind.ConnectFailed => "connect-failed",
        LoadErrorKind.ConnectionClosed => "connection-closed",
        LoadErrorKind.InFlightLost => "in-flight-lost",
        LoadErrorKind.NotConnected => "not-connected",
        LoadErrorKind.Timeout => "timeout",
        LoadErrorKind.Unsent => "unsent",
        LoadErrorKind.BadFrame => "bad-frame",
        LoadErrorKind.ParseError => "parse-error",
        LoadErrorKind.UnknownStan => "unknown-stan",
        LoadErrorKind.UnexpectedMti => "unexpected-mti",
        LoadErrorKind.MissingField => "missing-field",
        LoadErrorKind.FieldMismatch => "field-mismatch",
        LoadErrorKind.InvalidResponseCode => "invalid-response-code",
        LoadErrorKind.UnexpectedResponseCode => "unexpected-response-code",
        LoadErrorKind.SystemFailureAnswer => "system-failure-answer",
        _ => kind.ToString(),
    };

    /// <summary>Count of one error kind.</summary>
    public long ErrorCount(LoadErrorKind kind) => Errors.TryGetValue(kind, out long n) ? n : 0;
}
