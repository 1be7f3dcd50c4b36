using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace PaymentSwitch.Metrics.Internal;

/// <summary>
/// One half of a recorder stripe's double buffer: slot counts and summary fields that any number of writers
/// update with interlocked operations (threads that share a stripe never lose an increment). Read only by the
/// harvester, and only after the phaser has proven that no writer is still inside.
/// </summary>
internal sealed class StripeCounts
{
    private readonly HistogramLayout _layout;
    private readonly long[] _counts;
    private long _minValue = long.MaxValue;
    private long _maxValue;
    private long _overflowCount;
    private long _underflowCount;

    public StripeCounts(in HistogramLayout layout)
    {
        _layout = layout;
        _counts = new long[layout.CountsLength];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void RecordCount(long value, long count)
    {
        Debug.Assert(count > 0, "callers filter empty and negative counts");
        if ((ulong)value > (ulong)_layout.HighestTrackableValue)
        {
            RecordOutOfRange(value, count);
            return;
        }

        RecordInRange(value, value, count);
    }

    /// <summary>Records values that share one slot, or that all lie above the range.</summary>
    public void RecordGroup(long lowestValue, long highestValue, long count)
    {
        if (highestValue > _layout.HighestTrackableValue)
        {
            RecordOutOfRange(highestValue, count);
            return;
        }

        RecordInRange(lowestValue, highestValue, count);
    }

    /// <summary>Adds everything to <paramref name="target"/> and clears; only while no writer can be inside.</summary>
    public void DrainInto(HdrHistogram target)
    {
        target.AddSameLayoutCounts(_counts, _minValue, _maxValue, _overflowCount, _underflowCount);
        Array.Clear(_counts);
        _minValue = long.MaxValue;
        _maxValue = 0;
        _overflowCount = 0;
        _underflowCount = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void RecordInRange(long lowestValue, long highestValue, long count)
    {
        Interlocked.Add(ref _counts[_layout.IndexOf(highestValue)], count);

        // Plain reads first: the compare-exchange runs only when a new extreme is seen.
        long max = Volatile.Read(ref _maxValue);
        while (highestValue > max)
        {
            long seen = Interlocked.CompareExchange(ref _maxValue, highestValue, max);
            if (seen == max)
            {
                break;
            }

            max = seen;
        }

        long min = Volatile.Read(ref _minValue);
        while (lowestValue < min)
        {
            long seen = Interlocked.CompareExchange(ref _minValue, lowestValue, min);
            if (seen == min)
            {
                break;
            }

            min = seen;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RecordOutOfRange(long value, long count)
    {
        long clamped;
        if (value < 0)
        {
            clamped = 0;
            Interlocked.Add(ref _underflowCount, count);
        }
        else
        {
            clamped = _layout.HighestTrackableValue;
            Interlocked.Add(ref _overflowCount, count);
        }

        RecordInRange(clamped, clamped, count);
    }
}
