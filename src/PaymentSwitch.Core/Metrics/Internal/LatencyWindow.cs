using System.Diagnostics;
using PaymentSwitch.Metrics;

namespace PaymentSwitch.Core.Metrics.Internal;

/// <summary>
/// The sampler's view of one latency stream: a histogram since start, and a ring of <see cref="SlotCount"/> histograms of
/// <see cref="SlotSeconds"/> seconds each for "the last minute". Owned by the sampler thread: not thread-safe, and only
/// the summaries it produces (immutable values) are published.
/// </summary>
internal sealed class LatencyWindow
{
    public const int SlotCount = 6;
    public const int SlotSeconds = 10;

    private readonly HdrHistogram _sinceStart;
    private readonly HdrHistogram[] _slots;
    private readonly HdrHistogram _merged;
    private int _currentSlot;

    public LatencyWindow(ConcurrentHdrRecorder layoutSource)
    {
        _sinceStart = layoutSource.CreateCompatibleHistogram();
        _slots = new HdrHistogram[SlotCount];
        for (int i = 0; i < SlotCount; i++) _slots[i] = layoutSource.CreateCompatibleHistogram();
        _merged = layoutSource.CreateCompatibleHistogram();
    }

    /// <summary>Adds one harvested interval (values in microseconds).</summary>
    public void Add(HdrHistogram interval)
    {
        _sinceStart.Add(interval);
        _slots[_currentSlot].Add(interval);
    }

    /// <summary>Starts a new slot, forgetting the oldest one.</summary>
    public void Rotate()
    {
        _currentSlot = (_currentSlot + 1) % SlotCount;
        _slots[_currentSlot].Reset();
    }

    public LatencySummary SummariseSinceStart() => Summarise(_sinceStart);

    public LatencySummary SummariseLastMinute()
    {
        _merged.Reset();
        foreach (HdrHistogram slot in _slots) _merged.Add(slot);
        return Summarise(_merged);
    }

    /// <summary>Percentiles of a histogram of microseconds, in milliseconds.</summary>
    public static LatencySummary Summarise(HdrHistogram histogram)
    {
        if (histogram.TotalCount == 0) return LatencySummary.Empty;
        Debug.Assert(histogram.Max >= histogram.Min);
        return new LatencySummary(
            histogram.TotalCount,
            histogram.Mean / 1000.0,
            histogram.GetValueAtPercentile(50) / 1000.0,
            histogram.GetValueAtPercentile(90) / 1000.0,
            histogram.GetValueAtPercentile(99) / 1000.0,
            histogram.GetValueAtPercentile(99.9) / 1000.0,
            histogram.Max / 1000.0);
    }
}
