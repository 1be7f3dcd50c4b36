using System.Diagnostics;
using PaymentSwitch.Metrics;

namespace PaymentSwitch.Core.Metrics;

/// <summary>
/// How long the journal's fdatasync calls take, as an HDR histogram of microseconds, so operators see the disk's tail
/// (p99, p99.9) and not only the mean and maximum the journal keeps. The journal's writer thread calls
/// <see cref="Observe"/> after each fdatasync (<c>JournalOptions.SyncObserver</c>); the metrics sampler harvests
/// <see cref="Recorder"/> once a second. Lock-free, allocation-free, fixed memory.
/// </summary>
public sealed class FsyncLatencyRecorder
{
    /// <summary>Durations above this (a minute) are counted at this value.</summary>
    public const long HighestTrackableMicroseconds = 60_000_000;

    private static readonly double MicrosecondsPerTick = 1_000_000.0 / Stopwatch.Frequency;

    /// <summary>One writer (the journal's writer thread), so one stripe; three significant digits.</summary>
    public ConcurrentHdrRecorder Recorder { get; } = new(1, HighestTrackableMicroseconds, 3, writerStripeCount: 1);

    /// <summary>Records one fdatasync that took <paramref name="elapsedTicks"/> Stopwatch ticks.</summary>
    public void Observe(long elapsedTicks)
    {
        long micros = (long)(elapsedTicks * MicrosecondsPerTick);
        Recorder.Record(Math.Clamp(micros, 1, HighestTrackableMicroseconds));
    }
}
