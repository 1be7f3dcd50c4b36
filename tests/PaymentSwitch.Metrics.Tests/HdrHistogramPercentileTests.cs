using PaymentSwitch.Metrics;

namespace PaymentSwitch.Metrics.Tests;

public sealed class HdrHistogramPercentileTests
{
    private const int UniformCount = 1_000_000;

    private static readonly double[] Percentiles = [0, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100];

    public static TheoryData<int, long> UniformCases()
    {
        var data = new TheoryData<int, long>();
        for (int digits = 1; digits <= 5; digits++)
        {
            data.Add(digits, 1_000_000);
            data.Add(digits, 3_600_000_000);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(UniformCases))]
    public void Values_one_to_a_million_give_every_percentile_within_precision(int digits, long highest)
    {
        var histogram = new HdrHistogram(highest, digits);
        for (long value = 1; value <= UniformCount; value++)
        {
            histogram.Record(value);
        }

        Assert.Equal(UniformCount, histogram.TotalCount);
        Assert.Equal(1, histogram.Min);
        Assert.Equal(UniformCount, histogram.Max);
        foreach (double percentile in Percentiles)
        {
            // Nearest rank: the value whose rank is ceil(p% of N), at least rank 1. Values equal their ranks here.
            decimal exactRank = Math.Max(1m, Math.Ceiling((decimal)percentile / 100m * UniformCount));
            long reported = histogram.GetValueAtPercentile(percentile);
            HistogramAssert.WithinPrecision((double)exactRank, reported, digits, $"p{percentile}");
        }

        // Exact mean of 1..N is (N + 1) / 2; population standard deviation is sqrt((N^2 - 1) / 12).
        HistogramAssert.WithinPrecision(500_000.5, histogram.Mean, digits, "mean");
        HistogramAssert.WithinPrecision(Math.Sqrt(((double)UniformCount * UniformCount - 1) / 12), histogram.StdDeviation, digits, "stddev");
    }

    [Fact]
    public void Reported_percentile_is_the_top_of_the_exact_values_slot_never_below_it()
    {
        var histogram = new HdrHistogram(3_600_000_000, 3);
        var values = new long[200_001];
        var random = new Random(7);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = random.NextInt64(1, 50_000_000);
            histogram.Record(values[i]);
        }

        Array.Sort(values);
        for (int tenths = 1; tenths <= 1000; tenths++)
        {
            double percentile = tenths / 10.0;
            long rank = Math.Max(1, (long)Math.Ceiling((decimal)percentile / 100m * values.Length));
            long exact = values[rank - 1];
            long reported = histogram.GetValueAtPercentile(percentile);
            Assert.True(reported >= exact, $"p{percentile}: {reported} < exact {exact}");
            HistogramAssert.WithinPrecision(exact, reported, 3, $"p{percentile}");

            // The precise contract: the top of the exact value's slot, never beyond the recorded maximum.
            Assert.Equal(Math.Min(histogram.HighestEquivalentValue(exact), histogram.Max), reported);
        }
    }

    [Fact]
    public void Bimodal_distribution_reports_each_mode_on_its_side_of_the_split()
    {
        var histogram = new HdrHistogram(3_600_000_000, 3);
        histogram.RecordCount(1_000, 10_000);
        histogram.RecordCount(100_000_000, 100);

        Assert.Equal(10_100, histogram.TotalCount);
        Assert.Equal(1_000, histogram.Min);
        Assert.Equal(100_000_000, histogram.Max);

        // The first 10,000 of 10,100 values (99.0099%) are 1,000.
        foreach (double low in new[] { 0.0, 1, 25, 50, 75, 90, 99, 99.0099 })
        {
            HistogramAssert.WithinPrecision(1_000, histogram.GetValueAtPercentile(low), 3, $"p{low}");
        }

        foreach (double high in new[] { 99.01, 99.5, 99.9, 99.99, 100 })
        {
            HistogramAssert.WithinPrecision(100_000_000, histogram.GetValueAtPercentile(high), 3, $"p{high}");
        }

        double exactMean = (10_000.0 * 1_000 + 100.0 * 100_000_000) / 10_100;
        HistogramAssert.WithinPrecision(exactMean, histogram.Mean, 3, "mean");
        double exactVariance = ((10_000.0 * Math.Pow(1_000 - exactMean, 2)) + (100.0 * Math.Pow(100_000_000 - exactMean, 2))) / 10_100;
        HistogramAssert.WithinPrecision(Math.Sqrt(exactVariance), histogram.StdDeviation, 3, "stddev");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public void Constant_value_is_reported_exactly_at_every_percentile(int digits)
    {
        var histogram = new HdrHistogram(3_600_000_000, digits);
        for (int i = 0; i < 100_000; i++)
        {
            histogram.Record(123_456_789);
        }

        for (int tenths = 0; tenths <= 1000; tenths++)
        {
            Assert.Equal(123_456_789, histogram.GetValueAtPercentile(tenths / 10.0));
        }

        Assert.Equal(123_456_789, histogram.Mean);
        Assert.Equal(0, histogram.StdDeviation);
        Assert.Equal(100_000, histogram.GetCountAtValue(123_456_789));
    }

    [Fact]
    public void Empty_histogram_reports_zeros()
    {
        var histogram = new HdrHistogram(1_000_000, 3);

        Assert.Equal(0, histogram.TotalCount);
        Assert.Equal(0, histogram.Min);
        Assert.Equal(0, histogram.Max);
        Assert.Equal(0, histogram.Mean);
        Assert.Equal(0, histogram.StdDeviation);
        Assert.Equal(0, histogram.GetValueAtPercentile(50));
    }

    [Fact]
    public void Percentiles_outside_zero_to_hundred_are_clamped_and_nan_is_refused()
    {
        var histogram = new HdrHistogram(1_000_000, 3);
        histogram.Record(10);
        histogram.Record(5_000);

        Assert.Equal(10, histogram.GetValueAtPercentile(-5));
        Assert.Equal(5_000, histogram.GetValueAtPercentile(250));
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.GetValueAtPercentile(double.NaN));
    }

    [Fact]
    public void Reset_forgets_everything_and_the_histogram_is_reusable()
    {
        var histogram = new HdrHistogram(1_000_000, 3);
        histogram.Record(42);
        histogram.Record(2_000_000);
        histogram.Reset();

        Assert.Equal(0, histogram.TotalCount);
        Assert.Equal(0, histogram.OverflowCount);
        Assert.Equal(0, histogram.Max);
        Assert.Equal(0, histogram.GetCountAtValue(42));

        histogram.Record(7);
        Assert.Equal(7, histogram.Min);
        Assert.Equal(7, histogram.Max);
        Assert.Equal(7, histogram.GetValueAtPercentile(50));
    }
}
