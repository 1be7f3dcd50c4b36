using PaymentSwitch.Metrics;

namespace PaymentSwitch.Metrics.Tests;

public sealed class OutOfRangeTests
{
    [Fact]
    public void Value_above_the_range_is_clamped_to_the_highest_trackable_value_and_counted_as_overflow()
    {
        var histogram = new HdrHistogram(1_000_000, 3);
        histogram.Record(10);
        histogram.Record(5_000_000);
        histogram.Record(long.MaxValue);

        Assert.Equal(3, histogram.TotalCount);
        Assert.Equal(2, histogram.OverflowCount);
        Assert.Equal(0, histogram.UnderflowCount);
        Assert.Equal(1_000_000, histogram.Max);
        Assert.Equal(2, histogram.GetCountAtValue(1_000_000));
        Assert.Equal(1_000_000, histogram.GetValueAtPercentile(100));
        HistogramAssert.WithinPrecision(1_000_000, histogram.GetValueAtPercentile(50), 3, "p50");
    }

    [Fact]
    public void Negative_value_is_clamped_to_zero_and_counted_as_underflow()
    {
        var histogram = new HdrHistogram(1_000_000, 3);
        histogram.Record(-1);
        histogram.Record(long.MinValue);
        histogram.Record(40);

        Assert.Equal(3, histogram.TotalCount);
        Assert.Equal(2, histogram.UnderflowCount);
        Assert.Equal(0, histogram.Min);
        Assert.Equal(2, histogram.GetCountAtValue(0));
        Assert.Equal(0, histogram.GetValueAtPercentile(50));
    }

    [Fact]
    public void TryRecord_refuses_out_of_range_values_and_records_nothing()
    {
        var histogram = new HdrHistogram(1_000_000, 3);

        Assert.False(histogram.TryRecord(1_000_001));
        Assert.False(histogram.TryRecord(-1));
        Assert.Equal(0, histogram.TotalCount);
        Assert.Equal(0, histogram.OverflowCount);

        Assert.True(histogram.TryRecord(0));
        Assert.True(histogram.TryRecord(1_000_000));
        Assert.Equal(2, histogram.TotalCount);
        Assert.Equal(1_000_000, histogram.Max);
    }

    [Fact]
    public void RecordCount_clamps_like_record_and_refuses_a_negative_count()
    {
        var histogram = new HdrHistogram(1_000_000, 3);
        histogram.RecordCount(2_000_000, 5);
        histogram.RecordCount(77, 0);

        Assert.Equal(5, histogram.TotalCount);
        Assert.Equal(5, histogram.OverflowCount);
        Assert.Equal(0, histogram.GetCountAtValue(77));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => histogram.RecordCount(77, -1));
        Assert.Equal("count", error.ParamName);
    }

    [Fact]
    public void Count_lookup_outside_the_range_is_refused()
    {
        var histogram = new HdrHistogram(1_000_000, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.GetCountAtValue(1_000_001));
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.GetCountAtValue(-1));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public void Full_long_range_records_the_largest_long(int digits)
    {
        var histogram = new HdrHistogram(long.MaxValue, digits);
        histogram.Record(long.MaxValue);
        histogram.Record(1);

        Assert.Equal(0, histogram.OverflowCount);
        Assert.Equal(long.MaxValue, histogram.Max);
        Assert.Equal(long.MaxValue, histogram.GetValueAtPercentile(100));
        Assert.Equal(long.MaxValue, histogram.HighestEquivalentValue(long.MaxValue));
        Assert.Equal(1, histogram.GetCountAtValue(long.MaxValue));
    }
}
