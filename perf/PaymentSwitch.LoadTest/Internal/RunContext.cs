using System.Diagnostics;
using System.Net;
using PaymentSwitch.Iso8583;
using PaymentSwitch.Metrics;

namespace PaymentSwitch.LoadTest.Internal;

/// <summary>
/// What every connection of a run shares: options, wire format, schedule times (Stopwatch ticks), the latency
/// recorders and the objects the scheduler thread owns (message builder, wall-clock fields, lag histogram).
/// </summary>
internal sealed class RunContext
{
    /// <summary>Latencies are recorded in microseconds up to one hour.</summary>
    public const long HighestTrackableMicros = 3_600_000_000;
    public const int SignificantDigits = 3;

    private static readonly double MicrosPerTick = 1_000_000.0 / Stopwatch.Frequency;

    public RunContext(LoadTestOptions options, Dialect dialect, Framing framing, IPEndPoint endPoint)
    {
        Options = options;
        Dialect = dialect;
        Framing = framing;
        EndPoint = endPoint;
        Tpdu = options.Tpdu ?? default;
        Mix = new TransactionMix(options);
        Builder = new IsoMessageBuilder(dialect);
        TimeoutTicks = ToTicks(options.Timeout);
        ThinkTicks = ToTicks(options.ThinkTime);
        TickTicks = ToTicks(options.Tick);
        ReconnectDelayTicks = ToTicks(TimeSpan.FromMilliseconds(200));
        MaxFrameTotalBytes = framing.HeaderLength + framing.MaxFrameBytes;
        RequestFrameBoundBytes = framing.HeaderLength + LargestRequestBytes(dialect);
        TicksPerRequest = options.RatePerSecond > 0 ? Stopwatch.Frequency / options.RatePerSecond : 0;
        ExpectedIntervalMicros = LoadTestResult.CorrectionFor(options) == LatencyCorrection.ExpectedInterval ? ToMicros(ThinkTicks) : 0;
    }

    public LoadTestOptions Options { get; }
    public Dialect Dialect { get; }
    public Framing Framing { get; }
    public IPEndPoint EndPoint { get; }
    public Tpdu Tpdu { get; }
    public TransactionMix Mix { get; }

    /// <summary>Builds every request; used only on the scheduler thread.</summary>
    public IsoMessageBuilder Builder { get; }

    /// <summary>DE7, DE12, DE13 of the current second; updated and read only on the scheduler thread.</summary>
    public WallClockFields Clock { get; } = new();

    /// <summary>How late the scheduler sent measured requests not held back by the target (in-flight bound, pending send) (µs after their intended time); written only on the scheduler thread.</summary>
    public HdrHistogram SchedulerLag { get; } = new(HighestTrackableMicros, SignificantDigits);

    /// <summary>Latency from intended send time of requests intended during the warm-up.</summary>
    public ConcurrentHdrRecorder WarmupLatency { get; } = new(HighestTrackableMicros, SignificantDigits);

    /// <summary>Latency from intended send time of measured requests (corrected for coordinated omission as <see cref="LatencyCorrection"/> says).</summary>
    public ConcurrentHdrRecorder MeasuredLatency { get; } = new(HighestTrackableMicros, SignificantDigits);

    /// <summary>Time from the actual send to the answer of measured requests (what a closed-loop tool would show).</summary>
    public ConcurrentHdrRecorder MeasuredServiceTime { get; } = new(HighestTrackableMicros, SignificantDigits);

    public ErrorSamples Samples { get; } = new(20);

    /// <summary>
    /// Closed-loop terminals with a think time: the think time in µs, the interval latencies are recorded with so a
    /// stall also counts the requests the terminal would have sent meanwhile; 0 otherwise.
    /// </summary>
    public long ExpectedIntervalMicros { get; }

    /// <summary>Records the latency (µs from the intended send time) of a measured or warm-up request, corrected as the pacing allows.</summary>
    public void RecordLatency(bool measured, long micros)
    {
        ConcurrentHdrRecorder recorder = measured ? MeasuredLatency : WarmupLatency;
        if (ExpectedIntervalMicros > 0) recorder.RecordWithExpectedInterval(micros, ExpectedIntervalMicros);
        else recorder.Record(micros);
    }

    public long TimeoutTicks { get; }
    public long ThinkTicks { get; }
    public long TickTicks { get; }
    public long ReconnectDelayTicks { get; }
    public int MaxFrameTotalBytes { get; }

    /// <summary>Upper bound of one request frame of ours (every field at its longest): the room a batch needs for one more.</summary>
    public int RequestFrameBoundBytes { get; }

    /// <summary>Ticks between two consecutive requests of the whole run (open loop); 0 for closed loop.</summary>
    public double TicksPerRequest { get; }

    /// <summary>Start of the schedule.</summary>
    public long StartTicks { get; private set; }

    /// <summary>Requests intended at or after this are measured.</summary>
    public long WarmupEndTicks { get; private set; }

    /// <summary>No request is intended at or after this; brought forward on cancellation.</summary>
    public long EndTicks => Volatile.Read(ref _endTicks);

    private long _endTicks;

    /// <summary>Set while the run shuts its sockets down: closures are then not errors.</summary>
    public volatile bool Stopping;

    /// <summary>Set once no more requests may be sent (schedule over, or the backlog grace period spent).</summary>
    public volatile bool SendingClosed;

    public void SetSchedule(long startTicks)
    {
        StartTicks = startTicks;
        WarmupEndTicks = startTicks + ToTicks(Options.Warmup);
        _endTicks = WarmupEndTicks + ToTicks(Options.Duration);
    }

    /// <summary>Ends the schedule early (Ctrl+C): nothing intended after <paramref name="nowTicks"/> is sent.</summary>
    public void EndScheduleAt(long nowTicks)
    {
        long current;
        do
        {
            current = Volatile.Read(ref _endTicks);
            if (nowTicks >= current) return;
        }
        while (Interlocked.CompareExchange(ref _endTicks, Math.Max(nowTicks, StartTicks), current) != current);
    }

    /// <summary>Builds the longest request of each kind the harness sends and returns the larger length.</summary>
    private static int LargestRequestBytes(Dialect dialect)
    {
        var builder = new IsoMessageBuilder(dialect);
        ReadOnlySpan<byte> digits = "9999999999999999999999999999999999999999999999"u8;
        builder.Reset(Mti.FinancialRequest);
        foreach ((int field, int length) in (ReadOnlySpan<(int, int)>)[(2, 19), (3, 6), (4, 12), (7, 10), (11, 6), (12, 6), (13, 4), (14, 4), (18, 4), (22, 3), (32, 11), (37, 12), (49, 3)])
            builder.SetAscii(field, digits[..length]);
        builder.SetAscii(41, "AAAAAAAA"u8).SetAscii(42, "AAAAAAAAAAAAAAA"u8);
        int request = builder.MessageLength;
        builder.Reset(Mti.ReversalAdvice);
        foreach ((int field, int length) in (ReadOnlySpan<(int, int)>)[(2, 19), (3, 6), (4, 12), (7, 10), (11, 6), (32, 11), (37, 12), (49, 3), (90, 42)])
            builder.SetAscii(field, digits[..length]);
        builder.SetAscii(41, "AAAAAAAA"u8).SetAscii(42, "AAAAAAAAAAAAAAA"u8);
        return Math.Max(request, builder.MessageLength);
    }

    public static long ToMicros(long ticks) => ticks <= 0 ? 0 : (long)(ticks * MicrosPerTick);

    public static long ToTicks(TimeSpan time) => (long)(time.TotalSeconds * Stopwatch.Frequency);
}
