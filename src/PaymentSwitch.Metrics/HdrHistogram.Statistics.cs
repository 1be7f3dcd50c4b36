using System.Diagnostics;

namespace PaymentSwitch.Metrics;

public sealed partial class HdrHistogram
{
    /// <summary>
    /// Mean of the recorded values, taking each slot's values at the middle of the slot (clamped to
    /// <see cref="Min"/> and <see cref="Max"/>); within the histogram's precision of the exact mean.
    /// 0 when empty. Walks the counts: O(slots), not for a per-record path.
    /// </summary>
    public double Mean
    {
        get
        {
            if (_totalCount == 0)
            {
                return 0;
            }

            double total = 0;
            (int lowIndex, int highIndex) = OccupiedIndexRange();
            for (int i = lowIndex; i <= highIndex; i++)
            {
                long count = _counts[i];
                if (count != 0)
                {
                    total += (double)RepresentativeValueAtIndex(i) * count;
                }
            }

            return total / _totalCount;
        }
    }

    /// <summary>
    /// Population standard deviation of the recorded values, computed like <see cref="Mean"/>; 0 when empty.
    /// O(slots).
    /// </summary>
    public double StdDeviation
    {
        get
        {
            if (_totalCount == 0)
            {
                return 0;
            }

            double mean = Mean;
            double totalSquaredDeviation = 0;
            (int lowIndex, int highIndex) = OccupiedIndexRange();
            for (int i = lowIndex; i <= highIndex; i++)
            {
                long count = _counts[i];
                if (count != 0)
                {
                    double deviation = (double)RepresentativeValueAtIndex(i) - mean;
                    totalSquaredDeviation += deviation * deviation * count;
                }
            }

            return Math.Sqrt(totalSquaredDeviation / _totalCount);
        }
    }

    /// <summary>
    /// The value at <paramref name="percentile"/> (0 to 100) by the nearest-rank rule: the smallest recorded
    /// value v such that at least percentile% of all values are &lt;= v. Reported as the highest value equivalent
    /// to v (capped at <see cref="Max"/>), so it is never below the exact answer and at most
    /// value * 10^-<see cref="SignificantValueDigits"/> above it. Percentile 0 gives <see cref="Min"/>, 100 gives
    /// <see cref="Max"/>; values outside 0 to 100 are clamped. 0 when empty. O(slots), allocation-free.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="percentile"/> is NaN.</exception>
    public long GetValueAtPercentile(double percentile)
    {
        if (double.IsNaN(percentile))
        {
            Internal.HistogramThrowHelper.ThrowArgumentOutOfRange(nameof(percentile), "must be a number from 0 to 100.");
        }

        if (_totalCount == 0)
        {
            return 0;
        }

        if (percentile <= 0)
        {
            return _minValue;
        }

        // One ulp less keeps an exact product (say 99.9% of 1,000,000) from rounding up into the next rank.
        double requestedPercentile = Math.Min(Math.BitDecrement(percentile), 100.0);
        long countAtPercentile = Math.Max((long)Math.Ceiling(requestedPercentile / 100.0 * _totalCount), 1);

        // The answer is the lowest slot whose cumulative count reaches countAtPercentile. Walk from whichever end
        // of the occupied slots is nearer, so tail percentiles (p99.9) touch only the top few slots.
        (int lowIndex, int highIndex) = OccupiedIndexRange();
        if (countAtPercentile > _totalCount / 2)
        {
            long allowedAbove = _totalCount - countAtPercentile;
            long countFromTop = 0;
            for (int i = highIndex; i > lowIndex; i--)
            {
                countFromTop += _counts[i];
                if (countFromTop > allowedAbove)
                {
                    return ReportedValueAtIndex(i); // the slots below i hold fewer than countAtPercentile values
                }
            }

            return ReportedValueAtIndex(lowIndex);
        }

        long countToIndex = 0;
        for (int i = lowIndex; i <= highIndex; i++)
        {
            countToIndex += _counts[i];
            if (countToIndex >= countAtPercentile)
            {
                return ReportedValueAtIndex(i);
            }
        }

        Debug.Fail("the counts between the min and max slots must add up to the total count");
        return _maxValue;
    }

    /// <summary>
    /// First and last slot that can hold a count: those of <see cref="Min"/> and <see cref="Max"/>, since every
    /// stored value lies between them. Only for a non-empty histogram.
    /// </summary>
    private (int LowIndex, int HighIndex) OccupiedIndexRange()
    {
        Debug.Assert(_totalCount > 0, "an empty histogram has no occupied slots");
        return (_layout.IndexOf(_minValue), _layout.IndexOf(_maxValue));
    }

    /// <summary>The value reported for slot <paramref name="index"/>: its highest equivalent value, capped at Max.</summary>
    private long ReportedValueAtIndex(int index) =>
        Math.Min(_layout.ValueFromIndex(index) + (_layout.EquivalentRangeSizeAtIndex(index) - 1), _maxValue);

    /// <summary>The value standing for slot <paramref name="index"/> in the mean: its middle, within Min..Max.</summary>
    private long RepresentativeValueAtIndex(int index) =>
        Math.Clamp(_layout.ValueFromIndex(index) + (_layout.EquivalentRangeSizeAtIndex(index) >> 1), _minValue, _maxValue);
}
