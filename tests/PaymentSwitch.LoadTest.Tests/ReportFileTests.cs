using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using PaymentSwitch.LoadTest.Tests.Support;

namespace PaymentSwitch.LoadTest.Tests;

public sealed class ReportFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("loadtest-reports-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task The_command_line_writes_text_json_hgrm_svg_and_html_reports()
    {
        await using var responder = new IsoResponder(TestWire.Dialect, TestWire.Framing);
        string json = Path.Combine(_dir, "result.json");
        string hgrm = Path.Combine(_dir, "result.hgrm");
        string svg = Path.Combine(_dir, "chart.svg");
        string html = Path.Combine(_dir, "sub", "chart.html");
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int exit = await LoadTestProgram.RunAsync(
            [
                "--target", $"127.0.0.1:{responder.Port}", "--mode", "acquirer", "--connections", "2", "--rate", "1000",
                "--duration", "1s", "--warmup", "1200ms", "--dialects", TestWire.DialectDirectory,
                "--json", json, "--hgrm", hgrm, "--chart", svg,
            ],
            stdout, stderr);
        Assert.True(exit == 0, stdout.ToString() + stderr);
        int exitHtml = await LoadTestProgram.RunAsync(
            ["--target", $"127.0.0.1:{responder.Port}", "--rate", "500", "--duration", "1s", "--warmup", "0s", "--quiet", "--dialects", TestWire.DialectDirectory, "--chart", html],
            new StringWriter(), new StringWriter());
        Assert.Equal(0, exitHtml);

        // Text on stdout, progress lines on stderr.
        string text = stdout.ToString();
        Assert.Contains("Result: PASSED", text, StringComparison.Ordinal);
        Assert.Contains("Errors: none", text, StringComparison.Ordinal);
        Assert.Contains("p99.99", text, StringComparison.Ordinal);
        Assert.Contains("Achieved rate", text, StringComparison.Ordinal);
        Assert.Contains(" warm-up sent", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("p99 so far", stderr.ToString(), StringComparison.Ordinal);

        // JSON: parses, and holds the figures.
        using (JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(json)))
        {
            JsonElement root = doc.RootElement;
            Assert.True(root.GetProperty("passed").GetBoolean());
            Assert.Equal("acquirer", root.GetProperty("config").GetProperty("mode").GetString());
            Assert.Equal(0, root.GetProperty("errors").GetProperty("total").GetInt64());
            Assert.Equal(0, root.GetProperty("errors").GetProperty("byKind").GetProperty("timeout").GetInt64());
            double achieved = root.GetProperty("achievedRatePerSecond").GetDouble();
            Assert.InRange(achieved, 900, 1100);
            JsonElement latency = root.GetProperty("latencyMs");
            Assert.True(latency.GetProperty("count").GetInt64() >= 950);
            double p50 = latency.GetProperty("p50").GetDouble(), p99 = latency.GetProperty("p99").GetDouble(), max = latency.GetProperty("max").GetDouble();
            Assert.True(p50 > 0 && p50 <= p99 && p99 <= latency.GetProperty("p99.9").GetDouble() && latency.GetProperty("p99.99").GetDouble() <= max);
            Assert.True(root.GetProperty("responseCodes").GetProperty("00").GetInt64() >= 2100);
            Assert.True(root.GetProperty("intervals").GetArrayLength() >= 1);
            Assert.True(root.GetProperty("harness").GetProperty("cpuSeconds").GetDouble() > 0);
        }

        // .hgrm: the table header, value rows and the three footer lines.
        string[] lines = File.ReadAllLines(hgrm);
        Assert.Contains("Value", lines[0], StringComparison.Ordinal);
        Assert.Contains("1/(1-Percentile)", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("#[Mean", lines[^3], StringComparison.Ordinal);
        Assert.StartsWith("#[Max", lines[^2], StringComparison.Ordinal);
        Assert.StartsWith("#[Buckets", lines[^1], StringComparison.Ordinal);
        string[] rows = lines.Skip(2).Take(lines.Length - 5).ToArray();
        Assert.True(rows.Length > 10);
        double lastPercentile = -1;
        foreach (string row in rows)
        {
            string[] cols = row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            double percentile = double.Parse(cols[1], CultureInfo.InvariantCulture);
            Assert.True(percentile >= lastPercentile);
            lastPercentile = percentile;
        }
        Assert.Equal(1.0, lastPercentile);

        // SVG: well-formed XML with both percentile series drawn.
        XDocument chart = XDocument.Load(svg);
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(ns + "svg", chart.Root!.Name);
        var series = chart.Descendants(ns + "polyline").ToDictionary(e => (string)e.Attribute("data-series")!, e => (string)e.Attribute("points")!);
        Assert.Equal(["latency", "service-time"], series.Keys.Order().ToArray());
        Assert.True(series["latency"].Split(' ', StringSplitOptions.RemoveEmptyEntries).Length > 100);

        // HTML: a page with the percentile chart and the per-interval series.
        string page = File.ReadAllText(html);
        Assert.StartsWith("<!DOCTYPE html>", page, StringComparison.Ordinal);
        foreach (string id in new[] { "latency", "service-time", "p50", "p99", "max", "sent", "answered" })
            Assert.Contains($"data-series=\"{id}\"", page, StringComparison.Ordinal);
        Assert.Contains("Result: PASSED", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_run_exits_1_and_says_why()
    {
        await using var responder = new IsoResponder(TestWire.Dialect, TestWire.Framing, new ResponderBehaviour { DropField = 11, });
        var stdout = new StringWriter();
        int exit = await LoadTestProgram.RunAsync(
            ["--target", $"127.0.0.1:{responder.Port}", "--rate", "200", "--duration", "500ms", "--warmup", "0", "--timeout", "200ms", "--quiet", "--dialects", TestWire.DialectDirectory],
            stdout, new StringWriter());
        Assert.Equal(1, exit);
        Assert.Contains("Result: FAILED", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("unknown-stan", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("timeout", stdout.ToString(), StringComparison.Ordinal);
    }
}
