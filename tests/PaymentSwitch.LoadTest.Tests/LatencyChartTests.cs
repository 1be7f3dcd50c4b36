using System.Globalization;
using System.Xml.Linq;
using PaymentSwitch.LoadTest.Internal;
using PaymentSwitch.Metrics;

namespace PaymentSwitch.LoadTest.Tests;

public sealed class LatencyChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void The_maximum_is_drawn_in_its_own_column_labelled_max_not_at_the_last_percentile()
    {
        // Two million values of 1 ms and one of 500 ms: the chart's last decade is 99.9999%, which is 1 ms here;
        // only the maximum is 500 ms.
        var latency = new HdrHistogram(RunContext.HighestTrackableMicros, RunContext.SignificantDigits);
        latency.RecordCount(1_000, 2_000_000);
        latency.Record(500_000);
        var options = new LoadTestOptions { TargetHost = "127.0.0.1", TargetPort = 1, RatePerSecond = 1000 };
        var result = new LoadTestResult(options, latency, latency.Copy(), latency.Copy());

        XDocument chart = XDocument.Parse(Reports.LatencyChart.Svg(result));

        XElement[] labels = chart.Descendants(Svg + "text").ToArray();
        double lastDecadeX = X(labels.Single(t => t.Value == "99.9999%"));

        // The curve ends at the last decade with that percentile's value (near the bottom of a 0-500 ms axis) ...
        string points = (string)chart.Descendants(Svg + "polyline").Single(p => (string)p.Attribute("data-series")! == "latency").Attribute("points")!;
        string[] last = points.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1].Split(',');
        double lastX = double.Parse(last[0], CultureInfo.InvariantCulture), lastY = double.Parse(last[1], CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(lastX - lastDecadeX) < 0.5, $"curve ends at x {lastX}, last decade at {lastDecadeX}");
        double bottom = Y(labels.Single(t => t.Value == "0" && (string)t.Attribute("text-anchor")! == "end"));
        double top = Y(labels.Single(t => t.Value == "500" && (string)t.Attribute("text-anchor")! == "end"));
        Assert.True(lastY > bottom - ((bottom - top) * 0.05), $"the curve's last point is at y {lastY} (axis from {bottom} to {top}): not 1 ms");

        // ... and the maximum is a marker in its own column labelled max, at 500 ms.
        double maxColumnX = X(labels.Single(t => t.Value == "max"));
        Assert.True(maxColumnX > lastDecadeX + 10, $"max column at {maxColumnX}, last decade at {lastDecadeX}");
        XElement max = chart.Descendants(Svg + "circle").Single(c => (string)c.Attribute("data-series")! == "latency-max");
        Assert.Equal(maxColumnX, (double)max.Attribute("cx")!, 1);
        Assert.True(Math.Abs((double)max.Attribute("cy")! - top) < 2, $"max marker at y {(double)max.Attribute("cy")!}, 500 ms at {top}");
    }

    private static double X(XElement text) => double.Parse((string)text.Attribute("x")!, CultureInfo.InvariantCulture);

    // Tick labels sit 4 px below their grid line.
    private static double Y(XElement text) => double.Parse((string)text.Attribute("y")!, CultureInfo.InvariantCulture) - 4;
}
