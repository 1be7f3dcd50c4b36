using PaymentSwitch.Metrics;

namespace PaymentSwitch.Metrics.Tests;

/// <summary>Comparisons shared by the histogram tests.</summary>
internal static class HistogramAssert
{
    /// <summary>Every slot count and every summary field of the two histograms is identical.</summary>
    public static void SameContents(HdrHistogram expected, HdrHistogram actual)
    {
        Assert.Equal(expected.TotalCount, actual.TotalCount);
        Assert.Equal(expected.Min, actual.Min);
        Assert.Equal(expected.Max, actual.Max);
        Assert.Equal(expected.OverflowCount, actual.OverflowCount);
        Assert.Equal(expected.UnderflowCount, actual.UnderflowCount);
        ReadOnlySpan<long> expectedCounts = expected.Counts;
        ReadOnlySpan<long> actualCounts = actual.Counts;
        Assert.Equal(expectedCounts.Length, actualCounts.Length);
        for (int i = 0; i < expectedCounts.Length; i++)
        {
            if (expectedCounts[i] != actualCounts[i])
            {
                Assert.Fail($"slot {i}: expected count {expectedCounts[i]}, actual {actualCounts[i]}");
            }
        }

        Assert.Equal(expected.Mean, actual.Mean);
        Assert.Equal(expected.StdDeviation, actual.StdDeviation);
        for (int tenths = 0; tenths <= 1000; tenths++)
        {
            double percentile = tenths / 10.0;
            Assert.Equal(expected.GetValueAtPercentile(percentile), actual.GetValueAtPercentile(percentile));
        }
    }

    /// <summary>|actual - exact| &lt;= exact * 10^-digits (the histogram's stated relative precision).</summary>
    public static void WithinPrecision(double exact, double actual, int significantValueDigits, string what)
    {
        double tolerance = Math.Abs(exact) * Math.Pow(10, -significantValueDigits);
        if (Math.Abs(actual - exact) > tolerance)
        {
            Assert.Fail($"{what}: expected {exact} within ±{tolerance} (10^-{significantValueDigits} relative), got {actual}");
        }
    }
}
