using System.Globalization;

namespace PaymentSwitch.Metrics;

public sealed partial class HdrHistogram
{
    /// <summary>Default number of percentile rows per halving of the distance to 100%.</summary>
    public const int DefaultPercentileTicksPerHalfDistance = 5;

    /// <summary>
    /// Writes the percentile distribution in the classic HdrHistogram ".hgrm" text format read by the common
    /// plotting tools: a "Value Percentile TotalCount 1/(1-Percentile)" table followed by the
    /// <c>#[Mean = …, StdDeviation = …]</c>, <c>#[Max = …, Total count = …]</c> and
    /// <c>#[Buckets = …, SubBuckets = …]</c> footer. Lines end with '\n'; numbers use the invariant culture.
    /// </summary>
    /// <param name="writer">Destination.</param>
    /// <param name="percentileTicksPerHalfDistance">
    /// Rows per halving of the distance to 100%: with 5, rows step by 10% up to 50%, by 5% up to 75%, by 2.5% up
    /// to 87.5%, and so on, so the tail gets as many rows as the body. At least 1.
    /// </param>
    /// <param name="outputValueUnitScalingRatio">
    /// Recorded values are divided by this before printing, e.g. 1,000,000 to print milliseconds from recorded
    /// nanoseconds, or <c>Stopwatch.Frequency / 1000.0</c> from Stopwatch ticks. Must be positive and finite.
    /// </param>
    /// <remarks>
    /// Each row is printed once the cumulative count reaches the row's percentile level; the value is the
    /// highest value equivalent to the slot reached (capped at <see cref="Max"/>), the percentile column is the
    /// level itself. The last row is the 100% row, without the 1/(1-Percentile) column. An empty histogram
    /// prints the header and the footer only. Allocates formatting strings: a reporting path, not a hot path.
    /// </remarks>
    public void WritePercentileDistribution(
        TextWriter writer,
        int percentileTicksPerHalfDistance = DefaultPercentileTicksPerHalfDistance,
        double outputValueUnitScalingRatio = 1.0)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (percentileTicksPerHalfDistance < 1)
        {
            Internal.HistogramThrowHelper.ThrowArgumentOutOfRange(nameof(percentileTicksPerHalfDistance), "must be at least 1.");
        }

        if (!(outputValueUnitScalingRatio > 0) || double.IsInfinity(outputValueUnitScalingRatio))
        {
            Internal.HistogramThrowHelper.ThrowArgumentOutOfRange(
                nameof(outputValueUnitScalingRatio), "must be a positive finite number.");
        }

        CultureInfo invariant = CultureInfo.InvariantCulture;
        int digits = _layout.SignificantValueDigits;
        string valueFormat = "{0,12:F" + digits.ToString(invariant) + "}";
        string rowFormat = valueFormat + " {1:F12} {2,10} {3,14:F2}\n";
        string lastRowFormat = valueFormat + " {1:F12} {2,10}\n";

        writer.Write(string.Format(invariant, "{0,12} {1,14} {2,10} {3,14}\n\n", "Value", "Percentile", "TotalCount", "1/(1-Percentile)"));

        long totalCount = _totalCount;
        if (totalCount > 0)
        {
            double level = 0;
            bool levelsExhausted = false;
            long countToIndex = 0;
            (int lowIndex, int highIndex) = OccupiedIndexRange();
            for (int i = lowIndex; i <= highIndex && countToIndex < totalCount; i++)
            {
                long count = _counts[i];
                if (count == 0)
                {
                    continue;
                }

                countToIndex += count;
                double percentileReached = 100.0 * countToIndex / totalCount;
                double value = ReportedValueAtIndex(i) / outputValueUnitScalingRatio;

                // One slot may satisfy several levels: print a row for each of them.
                while (!levelsExhausted && percentileReached >= level)
                {
                    writer.Write(string.Format(
                        invariant, rowFormat, value, level / 100.0, countToIndex, 1.0 / (1.0 - (level / 100.0))));
                    if (countToIndex == totalCount)
                    {
                        break; // The last slot gets one row at the current level, then the 100% row below.
                    }

                    double nextLevel = NextPercentileLevel(level, percentileTicksPerHalfDistance);
                    if (!(nextLevel > level) || nextLevel >= 100.0)
                    {
                        // Levels no longer advance in double precision (astronomic counts): only the 100% row is left.
                        levelsExhausted = true;
                        break;
                    }

                    level = nextLevel;
                }
            }

            writer.Write(string.Format(invariant, lastRowFormat, _maxValue / outputValueUnitScalingRatio, 1.0, totalCount));
        }

        writer.Write(string.Format(
            invariant,
            "#[Mean    = " + valueFormat + ", StdDeviation   = {1,12:F" + digits.ToString(invariant) + "}]\n",
            Mean / outputValueUnitScalingRatio,
            StdDeviation / outputValueUnitScalingRatio));
        writer.Write(string.Format(
            invariant, "#[Max     = " + valueFormat + ", Total count    = {1,12}]\n", Max / outputValueUnitScalingRatio, totalCount));
        writer.Write(string.Format(invariant, "#[Buckets = {0,12}, SubBuckets     = {1,12}]\n", BucketCount, SubBucketCount));
    }

    /// <summary>
    /// The level after <paramref name="level"/>: the distance to 100% is cut into halves, and each half gets
    /// <paramref name="ticksPerHalfDistance"/> equal steps.
    /// </summary>
    private static double NextPercentileLevel(double level, int ticksPerHalfDistance)
    {
        int halvings = (int)Math.Floor(Math.Log2(100.0 / (100.0 - level)));
        double ticks = ticksPerHalfDistance * Math.Pow(2, halvings + 1);
        return level + (100.0 / ticks);
    }
}
