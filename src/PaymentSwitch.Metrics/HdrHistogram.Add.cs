using System.Diagnostics;

namespace PaymentSwitch.Metrics;

public sealed partial class HdrHistogram
{
    /// <summary>
    /// Adds every value recorded in <paramref name="other"/> to this histogram (a merge).
    /// </summary>
    /// <remarks>
    /// <para>
    /// When both histograms have the same lowest discernible value and significant value digits, the result is
    /// exactly what recording the union of both value streams would have produced, slot for slot, even if the
    /// highest trackable values differ. Values of <paramref name="other"/> whose slot lies above this
    /// histogram's highest trackable value are clamped to it and counted in <see cref="OverflowCount"/>.
    /// </para>
    /// <para>
    /// Otherwise (different resolution) each of <paramref name="other"/>'s slots is re-recorded at the middle
    /// of the slot, which keeps the result within the coarser of the two precisions. Totals, overflow and
    /// underflow counts, and the exact <see cref="Min"/> and <see cref="Max"/> are carried over in both cases.
    /// </para>
    /// <para>Neither histogram may be recorded into while this runs.</para>
    /// </remarks>
    public void Add(HdrHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);

        long otherTotal = other._totalCount;
        if (otherTotal == 0)
        {
            return;
        }

        long otherMin = other._minValue;
        long otherMax = other._maxValue;
        long otherOverflow = other._overflowCount;
        long highestTrackableValue = _layout.HighestTrackableValue;
        long newlyClamped = _layout.HasSameResolution(other._layout)
            ? AddSameResolution(other, otherOverflow)
            : AddOtherResolution(other, otherOverflow);

        _totalCount += otherTotal;
        _overflowCount += otherOverflow + newlyClamped;
        _underflowCount += other._underflowCount;
        _minValue = Math.Min(_minValue, Math.Min(otherMin, highestTrackableValue));
        _maxValue = Math.Max(_maxValue, Math.Min(otherMax, highestTrackableValue));
    }

    /// <summary>Slot-by-slot add; returns how many values had to be clamped into this range.</summary>
    private long AddSameResolution(HdrHistogram other, long otherOverflow)
    {
        int topIndex = _layout.IndexOf(_layout.HighestTrackableValue);
        ReadOnlySpan<long> source = other._counts;
        Span<long> target = _counts;
        int shared = Math.Min(topIndex + 1, source.Length);
        for (int i = 0; i < shared; i++)
        {
            target[i] += source[i];
        }

        long aboveRange = 0;
        for (int i = shared; i < source.Length; i++)
        {
            aboveRange += source[i];
        }

        if (aboveRange == 0)
        {
            return 0;
        }

        target[topIndex] += aboveRange;

        // other's own overflow values sit in its top slot; they are already counted in otherOverflow.
        int otherTopIndex = other._layout.IndexOf(other._layout.HighestTrackableValue);
        return otherTopIndex > topIndex ? aboveRange - otherOverflow : aboveRange;
    }

    /// <summary>Re-records every slot of a histogram with another resolution; returns the newly clamped count.</summary>
    private long AddOtherResolution(HdrHistogram other, long otherOverflow)
    {
        ref readonly var otherLayout = ref other._layout;
        int otherTopIndex = otherLayout.IndexOf(otherLayout.HighestTrackableValue);
        long highestTrackableValue = _layout.HighestTrackableValue;
        long newlyClamped = 0;
        for (int i = 0; i < other._counts.Length; i++)
        {
            long count = other._counts[i];
            if (count == 0)
            {
                continue;
            }

            long value = other.RepresentativeValueAtIndex(i);
            if (_layout.LowestEquivalentValue(value) > highestTrackableValue)
            {
                newlyClamped += i == otherTopIndex ? count - otherOverflow : count;
            }

            long stored = Math.Min(value, highestTrackableValue);
            _counts[_layout.IndexOf(stored)] += count;
        }

        Debug.Assert(newlyClamped >= 0, "other's overflow values are a subset of its top slot");
        return newlyClamped;
    }
}
