using PaymentSwitch.Metrics;

namespace PaymentSwitch.Metrics.Tests;

public sealed class HdrHistogramLayoutTests
{
    public static TheoryData<int, long> DigitsAndRanges()
    {
        var data = new TheoryData<int, long>();
        foreach (long highest in new[] { 1_000L, 1_000_000L, 3_600_000_000L, long.MaxValue })
        {
            for (int digits = 1; digits <= 5; digits++)
            {
                data.Add(digits, highest);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DigitsAndRanges))]
    public void Every_value_is_stored_within_the_stated_relative_precision(int digits, long highest)
    {
        var histogram = new HdrHistogram(highest, digits);
        var random = new Random(digits * 31 + (int)(highest % 1000));
        double precision = Math.Pow(10, -digits);
        for (int i = 0; i < 20_000; i++)
        {
            // Log-uniform over the whole range, so every bucket is visited.
            double logUniform = Math.Exp(random.NextDouble() * Math.Log(highest));
            long value = logUniform >= highest ? highest : (long)logUniform;
            long lowest = histogram.LowestEquivalentValue(value);
            long highestEquivalent = histogram.HighestEquivalentValue(value);
            long size = histogram.SizeOfEquivalentValueRange(value);

            Assert.InRange(value, lowest, highestEquivalent);
            Assert.Equal(size, highestEquivalent - lowest + 1);
            Assert.True(size == 1 || size <= value * precision, $"slot width {size} for {value} exceeds 10^-{digits}");
            Assert.Equal(lowest + (size / 2), histogram.MedianEquivalentValue(value));
            Assert.True(histogram.AreValuesEquivalent(value, lowest));
            Assert.True(histogram.AreValuesEquivalent(value, highestEquivalent));
            if (highestEquivalent < long.MaxValue)
            {
                Assert.Equal(highestEquivalent + 1, histogram.NextNonEquivalentValue(value));
                Assert.False(histogram.AreValuesEquivalent(value, highestEquivalent + 1));
            }
        }
    }

    [Theory]
    [MemberData(nameof(DigitsAndRanges))]
    public void The_highest_trackable_value_is_recorded_exactly_and_reported_as_max(int digits, long highest)
    {
        var histogram = new HdrHistogram(highest, digits);
        histogram.Record(highest);
        histogram.Record(1);

        Assert.Equal(2, histogram.TotalCount);
        Assert.Equal(0, histogram.OverflowCount);
        Assert.Equal(highest, histogram.Max);
        Assert.Equal(highest, histogram.GetValueAtPercentile(100));
        Assert.Equal(1, histogram.GetValueAtPercentile(0));
        Assert.Equal(1, histogram.GetCountAtValue(highest));
    }

    [Fact]
    public void Bucket_counts_match_published_outputs_of_the_reference_implementations()
    {
        // hdr-histogram-js README: default histogram (1 .. 2^53 - 1, 3 digits) prints "Buckets = 43, SubBuckets = 2048".
        var javascriptDefault = new HdrHistogram(1, 9_007_199_254_740_991, 3);
        Assert.Equal(43, javascriptDefault.BucketCount);
        Assert.Equal(2048, javascriptDefault.SubBucketCount);

        // wrk2 (1 .. 24 h in microseconds, 3 digits) prints "Buckets = 27, SubBuckets = 2048".
        var wrk2 = new HdrHistogram(1, 24L * 60 * 60 * 1_000_000, 3);
        Assert.Equal(27, wrk2.BucketCount);
        Assert.Equal(2048, wrk2.SubBucketCount);
    }

    [Theory]
    [InlineData(1, 32)]
    [InlineData(2, 256)]
    [InlineData(3, 2048)]
    [InlineData(4, 32768)]
    [InlineData(5, 262144)]
    public void Sub_bucket_count_is_the_smallest_power_of_two_holding_two_times_ten_to_the_digits(int digits, int expected)
    {
        var histogram = new HdrHistogram(3_600_000_000, digits);
        Assert.Equal(expected, histogram.SubBucketCount);
        Assert.True(expected >= 2 * Math.Pow(10, digits));
        Assert.True(expected / 2 < 2 * Math.Pow(10, digits));
    }

    [Fact]
    public void Lowest_discernible_value_is_rounded_down_to_a_power_of_two_unit()
    {
        var histogram = new HdrHistogram(1000, 3_600_000_000, 3);

        Assert.Equal(512, histogram.SizeOfEquivalentValueRange(0));
        Assert.True(histogram.AreValuesEquivalent(0, 511));
        Assert.False(histogram.AreValuesEquivalent(511, 512));
        Assert.Equal(1000, histogram.LowestDiscernibleValue);
    }

    [Theory]
    [InlineData(0, 1000, 3)]
    [InlineData(-1, 1000, 3)]
    [InlineData(1, 1, 3)]
    [InlineData(100, 150, 3)]
    [InlineData(1, 1000, 0)]
    [InlineData(1, 1000, 6)]
    [InlineData(1L << 50, long.MaxValue, 5)]
    public void Invalid_layouts_are_refused_with_a_clear_error(long lowest, long highest, int digits)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new HdrHistogram(lowest, highest, digits));
        Assert.False(string.IsNullOrEmpty(error.ParamName));
        Assert.Contains(error.ParamName!, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Equivalence_helpers_refuse_negative_values()
    {
        var histogram = new HdrHistogram(1000, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.LowestEquivalentValue(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.HighestEquivalentValue(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.MedianEquivalentValue(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.SizeOfEquivalentValueRange(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.AreValuesEquivalent(1, -1));
    }
}
