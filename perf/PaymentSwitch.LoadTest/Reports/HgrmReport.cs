using PaymentSwitch.Metrics;

namespace PaymentSwitch.LoadTest.Reports;

/// <summary>The measured latency as an HdrHistogram ".hgrm" percentile distribution in milliseconds (for the usual plotters).</summary>
public static class HgrmReport
{
    public static void Write(HdrHistogram micros, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(micros);
        micros.WritePercentileDistribution(writer, HdrHistogram.DefaultPercentileTicksPerHalfDistance, outputValueUnitScalingRatio: 1000.0);
    }
}
