using PaymentSwitch.Metrics;

namespace PaymentSwitch.Metrics.Tests;

public sealed class CoordinatedOmissionTests
{
    [Fact]
    public void A_stall_of_ten_intervals_back_fills_the_nine_missing_samples()
    {
        var histogram = new HdrHistogram(3_600_000_000, 3);
        histogram.RecordWithExpectedInterval(100_000, 10_000);

        Assert.Equal(10, histogram.TotalCount);
        for (long value = 10_000; value <= 100_000; value += 10_000)
        {
            Assert.Equal(1, histogram.GetCountAtValue(value));
        }

        Assert.Equal(10_000, histogram.Min);
        Assert.Equal(100_000, histogram.Max);
        Assert.Equal(55_000, histogram.Mean, 0.001 * 55_000);
        HistogramAssert.WithinPrecision(50_000, histogram.GetValueAtPercentile(50), 3, "p50");
    }

    [Theory]
    [InlineData(100_000, 0)]
    [InlineData(100_000, -5)]
    [InlineData(100_000, 100_000)]
    [InlineData(100_000, 250_000)]
    public void No_back_fill_without_a_positive_interval_shorter_than_the_value(long value, long interval)
    {
        var histogram = new HdrHistogram(3_600_000_000, 3);
        histogram.RecordWithExpectedInterval(value, interval);

        Assert.Equal(1, histogram.TotalCount);
        Assert.Equal(value, histogram.Max);
        Assert.Equal(value, histogram.Min);
    }

    [Theory]
    [InlineData(1, 1_000_003, 7)]
    [InlineData(2, 1_000_003, 7)]
    [InlineData(3, 5_000_000, 3)]
    [InlineData(3, 123_456_789, 12_345)]
    [InlineData(5, 2_000_000, 1)]
    [InlineData(3, 20_000, 10_000)]
    [InlineData(3, 19_999, 10_000)]
    public void Back_fill_matches_recording_every_missing_value_one_by_one(int digits, long value, long interval)
    {
        var corrected = new HdrHistogram(3_600_000_000, digits);
        var oneByOne = new HdrHistogram(3_600_000_000, digits);

        corrected.RecordWithExpectedInterval(value, interval);
        oneByOne.Record(value);
        for (long missing = value - interval; missing >= interval; missing -= interval)
        {
            oneByOne.Record(missing);
        }

        HistogramAssert.SameContents(oneByOne, corrected);
    }

    [Fact]
    public void Back_filled_values_above_the_range_are_clamped_and_counted_as_overflow()
    {
        var corrected = new HdrHistogram(1_000_000, 3);
        var oneByOne = new HdrHistogram(1_000_000, 3);

        corrected.RecordWithExpectedInterval(3_000_000, 100_000);
        for (long missing = 3_000_000; missing >= 100_000; missing -= 100_000)
        {
            oneByOne.Record(missing);
        }

        // 3,000,000 itself and 2,900,000 .. 1,100,000 lie above 1,000,000: 20 values clamped; 30 in total.
        Assert.Equal(30, corrected.TotalCount);
        Assert.Equal(20, corrected.OverflowCount);
        HistogramAssert.SameContents(oneByOne, corrected);
    }

    [Fact]
    public void Huge_value_with_unit_interval_is_back_filled_by_slot_not_by_value()
    {
        // 3.6e9 missing values: one recording per value would take tens of seconds; per slot it is ~25k steps.
        var histogram = new HdrHistogram(3_600_000_000, 3);
        histogram.RecordWithExpectedInterval(3_600_000_000, 1);

        Assert.Equal(3_600_000_000, histogram.TotalCount);
        Assert.Equal(1, histogram.Min);
        Assert.Equal(3_600_000_000, histogram.Max);
        HistogramAssert.WithinPrecision(1_800_000_000, histogram.GetValueAtPercentile(50), 3, "p50");
        HistogramAssert.WithinPrecision(3_564_000_000, histogram.GetValueAtPercentile(99), 3, "p99");
        HistogramAssert.WithinPrecision(1_800_000_000.5, histogram.Mean, 3, "mean");
    }
}
