using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace PaymentSwitch.Metrics.Internal;

/// <summary>
/// The bucket / sub-bucket geometry of an HDR histogram, shared by <see cref="HdrHistogram"/> and the
/// recorder's stripes so both map a value to the same counts index.
/// </summary>
/// <remarks>
/// Values are grouped into buckets that each cover twice the range of the previous one. Every bucket is split
/// into <see cref="SubBucketCount"/> linear sub-buckets, of which the lower half of every bucket after the
/// first overlaps the previous bucket and is therefore not stored. The sub-bucket count is the smallest power
/// of two that is at least 2 * 10^digits, which makes the width of every sub-bucket at most value * 10^-digits:
/// any value is known to within that relative precision. The counts array holds
/// (BucketCount + 1) * SubBucketHalfCount slots; index i covers the "equivalent value range" starting at
/// <see cref="ValueFromIndex"/>(i) whose width is <see cref="EquivalentRangeSizeAtIndex"/>(i).
/// </remarks>
internal readonly struct HistogramLayout : IEquatable<HistogramLayout>
{
    public HistogramLayout(long lowestDiscernibleValue, long highestTrackableValue, int significantValueDigits)
    {
        if (lowestDiscernibleValue < 1)
        {
            HistogramThrowHelper.ThrowArgumentOutOfRange(nameof(lowestDiscernibleValue), "must be at least 1.");
        }

        if (significantValueDigits < 1 || significantValueDigits > 5)
        {
            HistogramThrowHelper.ThrowArgumentOutOfRange(nameof(significantValueDigits), "must be between 1 and 5.");
        }

        if (highestTrackableValue < 2 * lowestDiscernibleValue)
        {
            HistogramThrowHelper.ThrowArgumentOutOfRange(
                nameof(highestTrackableValue), "must be at least twice the lowest discernible value.");
        }

        long largestValueWithSingleUnitResolution = 2 * (long)Math.Pow(10, significantValueDigits);
        int subBucketCountMagnitude = 64 - BitOperations.LeadingZeroCount((ulong)(largestValueWithSingleUnitResolution - 1));
        int unitMagnitude = 63 - BitOperations.LeadingZeroCount((ulong)lowestDiscernibleValue);
        int subBucketHalfCountMagnitude = subBucketCountMagnitude - 1;

        // The top sub-bucket value of the lowest bucket must stay clear of the sign bit.
        if (unitMagnitude + subBucketHalfCountMagnitude > 61)
        {
            HistogramThrowHelper.ThrowArgumentOutOfRange(
                nameof(lowestDiscernibleValue), "is too large for the requested significant value digits.");
        }

        LowestDiscernibleValue = lowestDiscernibleValue;
        HighestTrackableValue = highestTrackableValue;
        SignificantValueDigits = significantValueDigits;
        UnitMagnitude = unitMagnitude;
        SubBucketHalfCountMagnitude = subBucketHalfCountMagnitude;
        SubBucketCount = 1 << subBucketCountMagnitude;
        SubBucketHalfCount = SubBucketCount >> 1;
        SubBucketMask = ((long)SubBucketCount - 1) << unitMagnitude;
        LeadingZeroCountBase = 64 - unitMagnitude - subBucketCountMagnitude;
        BucketCount = BucketsNeededToCover(highestTrackableValue, SubBucketCount, unitMagnitude);
        CountsLength = (BucketCount + 1) * SubBucketHalfCount;

        Debug.Assert(IndexOf(highestTrackableValue) < CountsLength, "the highest trackable value must have a slot");
    }

    public long LowestDiscernibleValue { get; }

    public long HighestTrackableValue { get; }

    public int SignificantValueDigits { get; }

    /// <summary>log2 of the lowest discernible value, rounded down: values below 2^UnitMagnitude share slot 0.</summary>
    public int UnitMagnitude { get; }

    public int SubBucketHalfCountMagnitude { get; }

    public int SubBucketCount { get; }

    public int SubBucketHalfCount { get; }

    public long SubBucketMask { get; }

    public int LeadingZeroCountBase { get; }

    public int BucketCount { get; }

    public int CountsLength { get; }

    /// <summary>True when both layouts map every value to the same index (the highest value may differ).</summary>
    public bool HasSameResolution(in HistogramLayout other) =>
        UnitMagnitude == other.UnitMagnitude && SubBucketCount == other.SubBucketCount;

    /// <summary>Counts index of a value in [0, HighestTrackableValue].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int IndexOf(long value)
    {
        Debug.Assert(value >= 0, "negative values have no slot");
        int bucketIndex = BucketIndexOf(value);
        int subBucketIndex = (int)(value >>> (bucketIndex + UnitMagnitude));
        return ((bucketIndex + 1) << SubBucketHalfCountMagnitude) + (subBucketIndex - SubBucketHalfCount);
    }

    /// <summary>Lowest value of the equivalent range stored at <paramref name="index"/>.</summary>
    public long ValueFromIndex(int index)
    {
        int bucketIndex = (index >> SubBucketHalfCountMagnitude) - 1;
        int subBucketIndex = (index & (SubBucketHalfCount - 1)) + SubBucketHalfCount;
        if (bucketIndex < 0)
        {
            subBucketIndex -= SubBucketHalfCount;
            bucketIndex = 0;
        }

        return (long)subBucketIndex << (bucketIndex + UnitMagnitude);
    }

    /// <summary>Width of the equivalent range stored at <paramref name="index"/>.</summary>
    public long EquivalentRangeSizeAtIndex(int index)
    {
        int bucketIndex = Math.Max((index >> SubBucketHalfCountMagnitude) - 1, 0);
        return 1L << (bucketIndex + UnitMagnitude);
    }

    /// <summary>Lowest value that is equivalent to (shares a slot with) <paramref name="value"/>; any value &gt;= 0.</summary>
    public long LowestEquivalentValue(long value)
    {
        int shift = BucketIndexOf(value) + UnitMagnitude;
        return (value >>> shift) << shift;
    }

    /// <summary>Width of the range of values equivalent to <paramref name="value"/>; any value &gt;= 0.</summary>
    public long SizeOfEquivalentValueRange(long value) => 1L << (BucketIndexOf(value) + UnitMagnitude);

    /// <summary>Highest value equivalent to <paramref name="value"/>; never overflows.</summary>
    public long HighestEquivalentValue(long value) =>
        LowestEquivalentValue(value) + (SizeOfEquivalentValueRange(value) - 1);

    /// <summary>Middle of the range of values equivalent to <paramref name="value"/>.</summary>
    public long MedianEquivalentValue(long value) =>
        LowestEquivalentValue(value) + (SizeOfEquivalentValueRange(value) >> 1);

    public bool Equals(HistogramLayout other) =>
        LowestDiscernibleValue == other.LowestDiscernibleValue
        && HighestTrackableValue == other.HighestTrackableValue
        && SignificantValueDigits == other.SignificantValueDigits;

    public override bool Equals(object? obj) => obj is HistogramLayout other && Equals(other);

    public override int GetHashCode() =>
        HashCode.Combine(LowestDiscernibleValue, HighestTrackableValue, SignificantValueDigits);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int BucketIndexOf(long value) =>
        LeadingZeroCountBase - BitOperations.LeadingZeroCount((ulong)(value | SubBucketMask));

    private static int BucketsNeededToCover(long value, int subBucketCount, int unitMagnitude)
    {
        // The smallest value the first bucket cannot hold; each further bucket doubles it.
        long smallestUntrackableValue = (long)subBucketCount << unitMagnitude;
        int bucketsNeeded = 1;
        while (smallestUntrackableValue <= value)
        {
            if (smallestUntrackableValue > long.MaxValue / 2)
            {
                return bucketsNeeded + 1;
            }

            smallestUntrackableValue <<= 1;
            bucketsNeeded++;
        }

        return bucketsNeeded;
    }
}
