using PaymentSwitch.Metrics;

namespace PaymentSwitch.Metrics.Tests;

public sealed class PercentileDistributionTests
{
    [Fact]
    public void Three_values_print_the_published_reference_output()
    {
        // The hdr-histogram-js README shows this histogram's output (first, 70% and last rows, and the footer);
        // the rows in between follow from 5 ticks per half distance: 10% steps to 50%, then 5% steps.
        var histogram = new HdrHistogram(1, 9_007_199_254_740_991, 3);
        histogram.Record(25);
        histogram.Record(50);
        histogram.Record(75);

        string expected =
            "       Value     Percentile TotalCount 1/(1-Percentile)\n" +
            "\n" +
            "      25.000 0.000000000000          1           1.00\n" +
            "      25.000 0.100000000000          1           1.11\n" +
            "      25.000 0.200000000000          1           1.25\n" +
            "      25.000 0.300000000000          1           1.43\n" +
            "      50.000 0.400000000000          2           1.67\n" +
            "      50.000 0.500000000000          2           2.00\n" +
            "      50.000 0.550000000000          2           2.22\n" +
            "      50.000 0.600000000000          2           2.50\n" +
            "      50.000 0.650000000000          2           2.86\n" +
            "      75.000 0.700000000000          3           3.33\n" +
            "      75.000 1.000000000000          3\n" +
            "#[Mean    =       50.000, StdDeviation   =       20.412]\n" +
            "#[Max     =       75.000, Total count    =            3]\n" +
            "#[Buckets =           43, SubBuckets     =         2048]\n";

        Assert.Equal(expected, Write(histogram));
    }

    [Theory]
    [InlineData(1, 1.0)]
    [InlineData(5, 1.0)]
    [InlineData(5, 1000.0)]
    [InlineData(10, 1_000_000.0)]
    public void Output_parses_back_with_monotone_rows_ending_at_one_hundred_percent(int ticksPerHalfDistance, double scalingRatio)
    {
        var histogram = new HdrHistogram(3_600_000_000, 3);
        for (long value = 1; value <= 1_000_000; value++)
        {
            histogram.Record(value);
        }

        HgrmTable table = HgrmTable.Parse(Write(histogram, ticksPerHalfDistance, scalingRatio));

        Assert.True(table.Rows.Count > 10);
        for (int i = 1; i < table.Rows.Count; i++)
        {
            Assert.True(table.Rows[i].Value >= table.Rows[i - 1].Value, $"value decreases at row {i}");
            Assert.True(table.Rows[i].Percentile > table.Rows[i - 1].Percentile, $"percentile does not increase at row {i}");
            Assert.True(table.Rows[i].TotalCount >= table.Rows[i - 1].TotalCount, $"count decreases at row {i}");
        }

        foreach (HgrmRow row in table.Rows.SkipLast(1))
        {
            Assert.NotNull(row.OneOverOneMinusPercentile);
            Assert.Equal(1 / (1 - row.Percentile), row.OneOverOneMinusPercentile!.Value, 0.006);

            // Dense 1..N: the exact value at a level is level * N (rank = value); print rounding is 10^-3 units.
            double exact = Math.Max(1, Math.Ceiling(row.Percentile * 1_000_000)) / scalingRatio;
            Assert.InRange(row.Value, exact - 0.0005, (exact * 1.001) + 0.0005);
        }

        HgrmRow last = table.Rows[^1];
        Assert.Equal(1.0, last.Percentile);
        Assert.Null(last.OneOverOneMinusPercentile);
        Assert.Equal(1_000_000, last.TotalCount);
        Assert.Equal(1_000_000 / scalingRatio, last.Value, 0.0005);

        Assert.Equal(1_000_000, table.TotalCount);
        Assert.Equal(1_000_000 / scalingRatio, table.Max, 0.0005);
        Assert.Equal(histogram.Mean / scalingRatio, table.Mean, 0.0005);
        Assert.Equal(histogram.StdDeviation / scalingRatio, table.StdDeviation, 0.0005);
        Assert.Equal(histogram.BucketCount, table.Buckets);
        Assert.Equal(2048, table.SubBuckets);
    }

    [Theory]
    [InlineData(1, new[] { 0.0, 0.5, 0.75, 0.875, 0.9375 })]
    [InlineData(5, new[] { 0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.775, 0.8 })]
    [InlineData(2, new[] { 0.0, 0.25, 0.5, 0.625, 0.75, 0.8125, 0.875 })]
    public void Percentile_levels_halve_the_distance_to_one_hundred_percent_in_equal_ticks(int ticksPerHalfDistance, double[] expectedLevels)
    {
        var histogram = new HdrHistogram(3_600_000_000, 3);
        for (long value = 1; value <= 100_000; value++)
        {
            histogram.Record(value);
        }

        HgrmTable table = HgrmTable.Parse(Write(histogram, ticksPerHalfDistance, 1.0));

        for (int i = 0; i < expectedLevels.Length; i++)
        {
            Assert.Equal(expectedLevels[i], table.Rows[i].Percentile, 1e-12);
        }
    }

    [Fact]
    public void Empty_histogram_prints_header_and_footer_only()
    {
        var histogram = new HdrHistogram(3_600_000_000, 2);

        HgrmTable table = HgrmTable.Parse(Write(histogram));

        Assert.Empty(table.Rows);
        Assert.Equal(0, table.TotalCount);
        Assert.Equal(0, table.Max);
        Assert.Equal(25, table.Buckets); // 256 << 24 is the first power-of-two multiple above 3.6e9
        Assert.Equal(256, table.SubBuckets);
    }

    [Fact]
    public void Bimodal_output_jumps_between_the_modes()
    {
        var histogram = new HdrHistogram(3_600_000_000, 3);
        histogram.RecordCount(1_000, 10_000);
        histogram.RecordCount(100_000_000, 100);

        HgrmTable table = HgrmTable.Parse(Write(histogram, 5, 1_000.0));

        Assert.All(table.Rows.Where(row => row.Percentile <= 0.99), row => Assert.Equal(1.0, row.Value));
        Assert.All(table.Rows.Where(row => row.Percentile > 0.991), row => Assert.Equal(100_000.0, row.Value));
        Assert.Equal(10_100, table.TotalCount);
    }

    [Fact]
    public void Invalid_output_parameters_are_refused()
    {
        var histogram = new HdrHistogram(1_000, 3);
        using var writer = new StringWriter();

        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.WritePercentileDistribution(writer, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.WritePercentileDistribution(writer, 5, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.WritePercentileDistribution(writer, 5, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.WritePercentileDistribution(writer, 5, double.PositiveInfinity));
        Assert.Throws<ArgumentNullException>(() => histogram.WritePercentileDistribution(null!));
    }

    private static string Write(HdrHistogram histogram, int ticksPerHalfDistance = 5, double scalingRatio = 1.0)
    {
        using var writer = new StringWriter();
        histogram.WritePercentileDistribution(writer, ticksPerHalfDistance, scalingRatio);
        return writer.ToString();
    }
}
