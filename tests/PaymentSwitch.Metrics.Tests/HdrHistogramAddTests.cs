using PaymentSwitch.Metrics;

namespace PaymentSwitch.Metrics.Tests;

public sealed class HdrHistogramAddTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public void Merge_of_two_histograms_equals_the_histogram_of_the_union(int digits)
    {
        var first = new HdrHistogram(3_600_000_000, digits);
        var second = new HdrHistogram(3_600_000_000, digits);
        var union = new HdrHistogram(3_600_000_000, digits);
        var random = new Random(11 + digits);
        for (int i = 0; i < 100_000; i++)
        {
            long value = (long)Math.Exp(random.NextDouble() * 21); // up to ~1.3e9, log-uniform
            (i % 3 == 0 ? first : second).Record(value);
            union.Record(value);
        }

        first.Add(second);

        HistogramAssert.SameContents(union, first);
    }

    [Fact]
    public void Merge_across_different_highest_values_with_the_same_resolution_is_exact()
    {
        var small = new HdrHistogram(1_000_000, 3);
        var large = new HdrHistogram(3_600_000_000, 3);
        var union = new HdrHistogram(3_600_000_000, 3);
        var random = new Random(5);
        for (int i = 0; i < 50_000; i++)
        {
            long smallValue = random.NextInt64(0, 1_000_001);
            long largeValue = random.NextInt64(0, 3_600_000_001);
            small.Record(smallValue);
            large.Record(largeValue);
            union.Record(smallValue);
            union.Record(largeValue);
        }

        large.Add(small);

        HistogramAssert.SameContents(union, large);
    }

    [Fact]
    public void Merge_into_a_smaller_range_clamps_and_counts_the_values_above_it()
    {
        var small = new HdrHistogram(1_000_000, 3);
        var large = new HdrHistogram(3_600_000_000, 3);
        small.Record(500);
        large.Record(999_000);
        large.Record(2_000_000);
        large.Record(3_000_000_000);
        large.Record(4_000_000_000); // clamped inside "large" already: counted once, not twice

        small.Add(large);

        Assert.Equal(5, small.TotalCount);
        Assert.Equal(3, small.OverflowCount);
        Assert.Equal(1_000_000, small.Max);
        Assert.Equal(500, small.Min);
        Assert.Equal(3, small.GetCountAtValue(1_000_000));
        HistogramAssert.WithinPrecision(999_000, small.GetValueAtPercentile(40), 3, "p40");
        Assert.Equal(1_000_000, small.GetValueAtPercentile(100));
    }

    [Fact]
    public void Merge_across_different_precision_stays_within_the_coarser_precision()
    {
        var coarse = new HdrHistogram(3_600_000_000, 2);
        var fine = new HdrHistogram(3_600_000_000, 4);
        var all = new List<long>();
        var random = new Random(3);
        for (int i = 0; i < 40_000; i++)
        {
            long value = random.NextInt64(1, 10_000_000);
            (i % 2 == 0 ? coarse : fine).Record(value);
            all.Add(value);
        }

        fine.Add(coarse);

        all.Sort();
        Assert.Equal(all.Count, fine.TotalCount);
        Assert.Equal(all[0], fine.Min);
        Assert.Equal(all[^1], fine.Max);
        foreach (double percentile in new[] { 1.0, 10, 25, 50, 75, 90, 99, 99.9 })
        {
            long rank = (long)Math.Ceiling((decimal)percentile / 100m * all.Count);
            HistogramAssert.WithinPrecision(all[(int)rank - 1], fine.GetValueAtPercentile(percentile), 2, $"p{percentile}");
        }

        HistogramAssert.WithinPrecision(all.Average(), fine.Mean, 2, "mean");
    }

    [Fact]
    public void Adding_a_histogram_to_itself_doubles_every_count()
    {
        var histogram = new HdrHistogram(1_000_000, 3);
        var doubled = new HdrHistogram(1_000_000, 3);
        foreach (long value in new long[] { 1, 17, 17, 4_096, 999_999, 2_000_000, -3 })
        {
            histogram.Record(value);
            doubled.RecordCount(value, 2);
        }

        histogram.Add(histogram);

        HistogramAssert.SameContents(doubled, histogram);
        Assert.Equal(2, histogram.OverflowCount);
        Assert.Equal(2, histogram.UnderflowCount);
    }

    [Fact]
    public void Copy_is_equal_and_independent()
    {
        var histogram = new HdrHistogram(1_000_000, 3);
        for (long value = 1; value < 100_000; value += 37)
        {
            histogram.Record(value);
        }

        HdrHistogram copy = histogram.Copy();
        HistogramAssert.SameContents(histogram, copy);

        copy.Record(5);
        Assert.Equal(histogram.TotalCount + 1, copy.TotalCount);
    }

    [Fact]
    public void Adding_an_empty_histogram_changes_nothing()
    {
        var histogram = new HdrHistogram(1_000_000, 3);
        histogram.Record(100);
        HdrHistogram before = histogram.Copy();

        histogram.Add(new HdrHistogram(1_000_000, 3));
        histogram.Add(new HdrHistogram(10, 5_000, 2));

        HistogramAssert.SameContents(before, histogram);
    }
}
