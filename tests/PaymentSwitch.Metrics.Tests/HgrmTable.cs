using System.Globalization;
using System.Text.RegularExpressions;

namespace PaymentSwitch.Metrics.Tests;

/// <summary>An independent reader of the .hgrm percentile-distribution text, as a plotting tool would read it.</summary>
internal sealed partial class HgrmTable
{
    private HgrmTable(List<HgrmRow> rows, double mean, double stdDeviation, double max, long totalCount, int buckets, int subBuckets)
    {
        Rows = rows;
        Mean = mean;
        StdDeviation = stdDeviation;
        Max = max;
        TotalCount = totalCount;
        Buckets = buckets;
        SubBuckets = subBuckets;
    }

    public List<HgrmRow> Rows { get; }

    public double Mean { get; }

    public double StdDeviation { get; }

    public double Max { get; }

    public long TotalCount { get; }

    public int Buckets { get; }

    public int SubBuckets { get; }

    public static HgrmTable Parse(string text)
    {
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", text, StringComparison.Ordinal);
        string[] lines = text.Split('\n');
        Assert.Equal(string.Empty, lines[^1]);

        Assert.Equal(["Value", "Percentile", "TotalCount", "1/(1-Percentile)"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(string.Empty, lines[1]);

        var rows = new List<HgrmRow>();
        int index = 2;
        for (; !lines[index].StartsWith('#'); index++)
        {
            string[] columns = lines[index].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.InRange(columns.Length, 3, 4);
            rows.Add(new HgrmRow(
                double.Parse(columns[0], CultureInfo.InvariantCulture),
                double.Parse(columns[1], CultureInfo.InvariantCulture),
                long.Parse(columns[2], CultureInfo.InvariantCulture),
                columns.Length == 4 ? double.Parse(columns[3], CultureInfo.InvariantCulture) : null));
        }

        Match mean = MeanLine().Match(lines[index]);
        Match max = MaxLine().Match(lines[index + 1]);
        Match buckets = BucketsLine().Match(lines[index + 2]);
        Assert.True(mean.Success, $"bad mean line '{lines[index]}'");
        Assert.True(max.Success, $"bad max line '{lines[index + 1]}'");
        Assert.True(buckets.Success, $"bad buckets line '{lines[index + 2]}'");
        Assert.Equal(index + 4, lines.Length);

        return new HgrmTable(
            rows,
            double.Parse(mean.Groups[1].Value, CultureInfo.InvariantCulture),
            double.Parse(mean.Groups[2].Value, CultureInfo.InvariantCulture),
            double.Parse(max.Groups[1].Value, CultureInfo.InvariantCulture),
            long.Parse(max.Groups[2].Value, CultureInfo.InvariantCulture),
            int.Parse(buckets.Groups[1].Value, CultureInfo.InvariantCulture),
            int.Parse(buckets.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^#\[Mean    = +([0-9.]+), StdDeviation   = +([0-9.]+)\]$")]
    private static partial Regex MeanLine();

    [GeneratedRegex(@"^#\[Max     = +([0-9.]+), Total count    = +([0-9]+)\]$")]
    private static partial Regex MaxLine();

    [GeneratedRegex(@"^#\[Buckets = +([0-9]+), SubBuckets     = +([0-9]+)\]$")]
    private static partial Regex BucketsLine();
}

/// <summary>One row of the .hgrm table; the last (100%) row has no inverse column.</summary>
internal sealed record HgrmRow(double Value, double Percentile, long TotalCount, double? OneOverOneMinusPercentile);
