using System.Diagnostics;
using System.Runtime.CompilerServices;
using PaymentSwitch.Metrics.Internal;

namespace PaymentSwitch.Metrics;

/// <summary>
/// A high dynamic range (HDR) histogram of non-negative integer values (latencies in ticks, nanoseconds, ...):
/// records in O(1) without allocating, and reports any percentile to a fixed relative precision over the whole
/// range, from the lowest discernible value up to the highest trackable value.
/// </summary>
/// <remarks>
/// <para>
/// Precision: with D significant value digits, every value is stored in a slot whose width is at most
/// value * 10^-D (and at least 1 unit of the lowest discernible value), so any reported percentile is within
/// that relative distance of the true one. Memory is (BucketCount + 1) * SubBucketCount / 2 longs: for 1 to
/// 3,600,000,000 with 3 digits that is 23,552 slots (184 KiB).
/// </para>
/// <para>
/// Out-of-range values are never dropped and never throw: <see cref="Record"/> clamps a value above
/// <see cref="HighestTrackableValue"/> to that value and counts it in <see cref="OverflowCount"/>, and clamps a
/// negative value to 0 and counts it in <see cref="UnderflowCount"/>. The clamped value is what the
/// percentiles, <see cref="Min"/>, <see cref="Max"/> and <see cref="Mean"/> see. Use <see cref="TryRecord"/>
/// to refuse such values instead.
/// </para>
/// <para>
/// <see cref="Min"/> and <see cref="Max"/> are the exact smallest and largest (clamped) values recorded;
/// reported percentiles never go beyond them.
/// </para>
/// <para>
/// Not thread-safe: one writer, and no reader while it writes. For many concurrent writers use
/// <see cref="ConcurrentHdrRecorder"/>, which hands out interval snapshots of this type.
/// </para>
/// </remarks>
public sealed partial class HdrHistogram
{
    private readonly HistogramLayout _layout;
    private readonly long[] _counts;
    private long _totalCount;
    private long _minValue = long.MaxValue;
    private long _maxValue;
    private long _overflowCount;
    private long _underflowCount;

    /// <summary>Creates a histogram of values from 1 to <paramref name="highestTrackableValue"/>.</summary>
    /// <param name="highestTrackableValue">Largest value that is stored without clamping; at least 2.</param>
    /// <param name="significantValueDigits">Relative precision as decimal digits, 1 to 5 (3 means 0.1%).</param>
    public HdrHistogram(long highestTrackableValue, int significantValueDigits)
        : this(1, highestTrackableValue, significantValueDigits)
    {
    }

    /// <summary>Creates a histogram.</summary>
    /// <param name="lowestDiscernibleValue">
    /// Smallest value that is told apart from 0, at least 1; it is rounded down to a power of two (the unit),
    /// and values below the unit share the first slot. Using e.g. 1000 when recording nanoseconds but caring
    /// only about microseconds saves memory.
    /// </param>
    /// <param name="highestTrackableValue">
    /// Largest value that is stored without clamping; at least twice <paramref name="lowestDiscernibleValue"/>.
    /// </param>
    /// <param name="significantValueDigits">Relative precision as decimal digits, 1 to 5 (3 means 0.1%).</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is outside the range given above.</exception>
    public HdrHistogram(long lowestDiscernibleValue, long highestTrackableValue, int significantValueDigits)
        : this(new HistogramLayout(lowestDiscernibleValue, highestTrackableValue, significantValueDigits))
    {
    }

    internal HdrHistogram(in HistogramLayout layout)
    {
        _layout = layout;
        _counts = new long[layout.CountsLength];
    }

    /// <summary>Smallest value that is told apart from 0.</summary>
    public long LowestDiscernibleValue => _layout.LowestDiscernibleValue;

    /// <summary>Largest value stored without clamping.</summary>
    public long HighestTrackableValue => _layout.HighestTrackableValue;

    /// <summary>Relative precision in decimal digits (1 to 5).</summary>
    public int SignificantValueDigits => _layout.SignificantValueDigits;

    /// <summary>Number of power-of-two buckets covering the range (the .hgrm footer's "Buckets").</summary>
    public int BucketCount => _layout.BucketCount;

    /// <summary>Number of linear sub-buckets per bucket (the .hgrm footer's "SubBuckets").</summary>
    public int SubBucketCount => _layout.SubBucketCount;

    /// <summary>Number of values recorded, including clamped ones.</summary>
    public long TotalCount => _totalCount;

    /// <summary>Number of values recorded above <see cref="HighestTrackableValue"/> and clamped to it.</summary>
    public long OverflowCount => _overflowCount;

    /// <summary>Number of negative values recorded and clamped to 0.</summary>
    public long UnderflowCount => _underflowCount;

    /// <summary>Exact largest (clamped) value recorded; 0 when empty.</summary>
    public long Max => _totalCount == 0 ? 0 : _maxValue;

    /// <summary>Exact smallest (clamped) value recorded; 0 when empty.</summary>
    public long Min => _totalCount == 0 ? 0 : _minValue;

    internal ref readonly HistogramLayout Layout => ref _layout;

    internal ReadOnlySpan<long> Counts => _counts;

    /// <summary>Records one value in O(1) without allocating; out-of-range values are clamped and counted.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Record(long value)
    {
        if ((ulong)value > (ulong)_layout.HighestTrackableValue)
        {
            RecordOutOfRange(value, 1);
            return;
        }

        _counts[_layout.IndexOf(value)]++;
        _totalCount++;
        if (value > _maxValue)
        {
            _maxValue = value;
        }

        if (value < _minValue)
        {
            _minValue = value;
        }
    }

    /// <summary>
    /// Records <paramref name="value"/> if it is within 0 to <see cref="HighestTrackableValue"/>; otherwise
    /// records nothing and returns false.
    /// </summary>
    public bool TryRecord(long value)
    {
        if ((ulong)value > (ulong)_layout.HighestTrackableValue)
        {
            return false;
        }

        Record(value);
        return true;
    }

    /// <summary>Records <paramref name="count"/> occurrences of <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public void RecordCount(long value, long count)
    {
        if (count <= 0)
        {
            if (count < 0)
            {
                HistogramThrowHelper.ThrowNegativeCount(nameof(count), count);
            }

            return;
        }

        if ((ulong)value > (ulong)_layout.HighestTrackableValue)
        {
            RecordOutOfRange(value, count);
            return;
        }

        RecordInRange(value, value, count);
    }

    /// <summary>
    /// Records <paramref name="value"/> and corrects for coordinated omission: when a measuring loop that
    /// expects one sample every <paramref name="expectedIntervalBetweenValueSamples"/> stalls for
    /// <paramref name="value"/>, the samples it missed are added as value - interval, value - 2 * interval, ...
    /// down to the interval itself. An interval &lt;= 0 records the value alone. Does not allocate; the cost is
    /// bounded by the number of slots the missing values cross, not by value / interval.
    /// </summary>
    public void RecordWithExpectedInterval(long value, long expectedIntervalBetweenValueSamples)
    {
        Record(value);
        var recorder = new GroupRecorder(this);
        CoordinatedOmissionBackfill.RecordMissingValues(ref recorder, _layout, value, expectedIntervalBetweenValueSamples);
    }

    /// <summary>Number of recorded values equivalent to <paramref name="value"/> (sharing its slot).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 0 to <see cref="HighestTrackableValue"/>.</exception>
    public long GetCountAtValue(long value)
    {
        if ((ulong)value > (ulong)_layout.HighestTrackableValue)
        {
            HistogramThrowHelper.ThrowArgumentOutOfRange(nameof(value), "must be between 0 and the highest trackable value.");
        }

        return _counts[_layout.IndexOf(value)];
    }

    /// <summary>Forgets every recorded value; keeps the layout and the memory.</summary>
    public void Reset()
    {
        Array.Clear(_counts);
        _totalCount = 0;
        _minValue = long.MaxValue;
        _maxValue = 0;
        _overflowCount = 0;
        _underflowCount = 0;
    }

    /// <summary>Returns an independent histogram with the same layout and contents.</summary>
    public HdrHistogram Copy()
    {
        var copy = new HdrHistogram(_layout);
        copy.Add(this);
        return copy;
    }

    /// <summary>Lowest value equivalent to <paramref name="value"/> (stored in the same slot).</summary>
    public long LowestEquivalentValue(long value) => _layout.LowestEquivalentValue(CheckNotNegative(value));

    /// <summary>Highest value equivalent to <paramref name="value"/> (stored in the same slot).</summary>
    public long HighestEquivalentValue(long value) => _layout.HighestEquivalentValue(CheckNotNegative(value));

    /// <summary>Middle of the range of values equivalent to <paramref name="value"/>.</summary>
    public long MedianEquivalentValue(long value) => _layout.MedianEquivalentValue(CheckNotNegative(value));

    /// <summary>Smallest value above <paramref name="value"/> that is not equivalent to it.</summary>
    public long NextNonEquivalentValue(long value) =>
        _layout.LowestEquivalentValue(CheckNotNegative(value)) + _layout.SizeOfEquivalentValueRange(value);

    /// <summary>Width of the range of values equivalent to <paramref name="value"/>.</summary>
    public long SizeOfEquivalentValueRange(long value) => _layout.SizeOfEquivalentValueRange(CheckNotNegative(value));

    /// <summary>True when both values are stored in the same slot.</summary>
    public bool AreValuesEquivalent(long value1, long value2) =>
        _layout.LowestEquivalentValue(CheckNotNegative(value1)) == _layout.LowestEquivalentValue(CheckNotNegative(value2));

    /// <summary>Adds raw counts of an identical layout (a drained recorder stripe) and their summary fields.</summary>
    internal void AddSameLayoutCounts(
        ReadOnlySpan<long> counts, long minValue, long maxValue, long overflowCount, long underflowCount)
    {
        Debug.Assert(counts.Length == _counts.Length, "only an identical layout can be added slot by slot");
        long added = 0;
        Span<long> own = _counts;
        for (int i = 0; i < counts.Length; i++)
        {
            long count = counts[i];
            own[i] += count;
            added += count;
        }

        if (added == 0)
        {
            return;
        }

        _totalCount += added;
        _overflowCount += overflowCount;
        _underflowCount += underflowCount;
        _minValue = Math.Min(_minValue, minValue);
        _maxValue = Math.Max(_maxValue, maxValue);
    }

    /// <summary>Records a group of values that all share one slot (or all lie above the range).</summary>
    private void RecordGroup(long lowestValue, long highestValue, long count)
    {
        if (highestValue > _layout.HighestTrackableValue)
        {
            Debug.Assert(lowestValue > _layout.HighestTrackableValue, "a group lies entirely inside or above the range");
            RecordOutOfRange(highestValue, count);
            return;
        }

        RecordInRange(lowestValue, highestValue, count);
    }

    private void RecordInRange(long lowestValue, long highestValue, long count)
    {
        Debug.Assert(lowestValue >= 0 && highestValue <= _layout.HighestTrackableValue, "value must be in range");
        Debug.Assert(_layout.IndexOf(lowestValue) == _layout.IndexOf(highestValue), "a group shares one slot");
        _counts[_layout.IndexOf(highestValue)] += count;
        _totalCount += count;
        if (highestValue > _maxValue)
        {
            _maxValue = highestValue;
        }

        if (lowestValue < _minValue)
        {
            _minValue = lowestValue;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RecordOutOfRange(long value, long count)
    {
        long clamped;
        if (value < 0)
        {
            clamped = 0;
            _underflowCount += count;
        }
        else
        {
            clamped = _layout.HighestTrackableValue;
            _overflowCount += count;
        }

        RecordInRange(clamped, clamped, count);
    }

    private static long CheckNotNegative(long value)
    {
        if (value < 0)
        {
            HistogramThrowHelper.ThrowArgumentOutOfRange(nameof(value), "must not be negative.");
        }

        return value;
    }

    private readonly struct GroupRecorder(HdrHistogram histogram) : IEquivalentGroupRecorder
    {
        public void RecordGroup(long lowestValue, long highestValue, long count) =>
            histogram.RecordGroup(lowestValue, highestValue, count);
    }
}
