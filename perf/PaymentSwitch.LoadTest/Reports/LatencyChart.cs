using System.Globalization;
using System.Net;
using System.Text;
using PaymentSwitch.Metrics;

namespace PaymentSwitch.LoadTest.Reports;

/// <summary>
/// A latency-percentile chart a person can open in a browser: an SVG (<c>.svg</c>) of latency against percentile on
/// the usual "1/(1-p)" log axis, with the latency (corrected as the pacing allows) and the service time as two series; or an HTML
/// page (<c>.html</c>) with that chart, per-second latency and rate charts and the summary. Self-contained: no scripts,
/// fonts or files from elsewhere.
/// </summary>
public static class LatencyChart
{
    private const int Width = 960;
    private const int Height = 500;
    private const int Left = 80, Right = 200, Top = 50, Bottom = 60;

    // Right of the last decade the percentile chart keeps a column for the maximum: 100% lies at no finite point of
    // the 1/(1-p) axis, so the maximum is drawn there as a marker labelled "max", not as a point of the curve.
    private const int MaxColumn = 90;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Writes an SVG or an HTML page depending on <paramref name="path"/>'s extension.</summary>
    public static void WriteFile(LoadTestResult result, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text = path.EndsWith(".svg", StringComparison.OrdinalIgnoreCase) ? Svg(result) : Html(result);
        File.WriteAllText(path, text, new UTF8Encoding(false));
    }

    /// <summary>The percentile chart as a standalone SVG document.</summary>
    public static string Svg(LoadTestResult result) => "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + PercentileSvg(result);

    /// <summary>An HTML page with the percentile chart, the per-interval charts and the summary.</summary>
    public static string Html(LoadTestResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>PaymentSwitch load test</title>\n");
        sb.Append("<style>body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}th{background:#f4f4f4}pre{background:#f8f8f8;padding:12px}</style>\n");
        sb.Append("</head><body>\n<h1>PaymentSwitch load test</h1>\n");
        var text = new StringWriter(Inv);
        TextReport.Write(result, text);
        sb.Append("<pre>").Append(WebUtility.HtmlEncode(text.ToString())).Append("</pre>\n");
        sb.Append("<table><tr><th>percentile</th><th>latency (ms)</th><th>service time (ms)</th></tr>\n");
        foreach (double p in TextReport.Percentiles)
        {
            sb.Append(Inv, $"<tr><td>{p:0.###}%</td><td>{result.Latency.GetValueAtPercentile(p) / 1000.0:0.###}</td><td>{result.ServiceTime.GetValueAtPercentile(p) / 1000.0:0.###}</td></tr>\n");
        }
        sb.Append(Inv, $"<tr><td>max</td><td>{result.Latency.Max / 1000.0:0.###}</td><td>{result.ServiceTime.Max / 1000.0:0.###}</td></tr></table>\n");
        sb.Append("<h2>Latency by percentile</h2>\n").Append(PercentileSvg(result)).Append('\n');
        sb.Append("<h2>Latency per interval</h2>\n").Append(TimelineSvg(result, rate: false)).Append('\n');
        sb.Append("<h2>Rate per interval</h2>\n").Append(TimelineSvg(result, rate: true)).Append('\n');
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    private static string PercentileSvg(LoadTestResult result)
    {
        HdrHistogram latency = result.Latency;
        HdrHistogram service = result.ServiceTime;
        long count = Math.Max(latency.TotalCount, 1);
        // Show the tail as far as the data reaches: up to 1 - 1/count, between 99% and 99.9999%.
        int decades = Math.Clamp((int)Math.Ceiling(Math.Log10(count)), 2, 6);
        double yMax = NiceCeiling(Math.Max(latency.Max, service.Max) / 1000.0);
        int plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        int curveW = plotW - MaxColumn;
        double maxX = Left + curveW + (MaxColumn / 2.0);

        var sb = new StringBuilder();
        sb.Append(Inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.Append("<title>Latency by percentile</title>\n");
        sb.Append(Inv, $"<rect x=\"0\" y=\"0\" width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
        string title = $"{TextReport.ModeName(result.Options.Mode)} x{result.Options.Connections} -> {result.Options.TargetHost}:{result.Options.TargetPort}, "
            + (result.Options.IsClosedLoop ? "closed loop" : $"{result.Options.RatePerSecond.ToString("N0", Inv)}/s") + $", {latency.TotalCount.ToString("N0", Inv)} measured requests";
        sb.Append(Inv, $"<text x=\"{Left}\" y=\"24\" font-size=\"15\" font-weight=\"bold\">{Escape(title)}</text>\n");

        // Axes and grid.
        for (int d = 0; d <= decades; d++)
        {
            double x = Left + (curveW * d / (double)decades);
            string label = d == 0 ? "0%" : (100.0 * (1 - Math.Pow(10, -d))).ToString("0.#####", Inv) + "%";
            sb.Append(Inv, $"<line x1=\"{x:0.#}\" y1=\"{Top}\" x2=\"{x:0.#}\" y2=\"{Top + plotH}\" stroke=\"#ddd\"/>\n");
            sb.Append(Inv, $"<text x=\"{x:0.#}\" y=\"{Top + plotH + 18}\" text-anchor=\"middle\">{label}</text>\n");
        }
        for (int t = 0; t <= 5; t++)
        {
            double v = yMax * t / 5;
            double y = Top + plotH - (plotH * t / 5.0);
            sb.Append(Inv, $"<line x1=\"{Left}\" y1=\"{y:0.#}\" x2=\"{Left + plotW}\" y2=\"{y:0.#}\" stroke=\"#ddd\"/>\n");
            sb.Append(Inv, $"<text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{v.ToString("0.###", Inv)}</text>\n");
        }
        sb.Append(Inv, $"<line x1=\"{maxX:0.#}\" y1=\"{Top}\" x2=\"{maxX:0.#}\" y2=\"{Top + plotH}\" stroke=\"#ddd\" stroke-dasharray=\"2,3\"/>\n");
        sb.Append(Inv, $"<text x=\"{maxX:0.#}\" y=\"{Top + plotH + 18}\" text-anchor=\"middle\">max</text>\n");
        sb.Append(Inv, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\" stroke=\"#888\"/>\n");
        sb.Append(Inv, $"<text x=\"{Left + (plotW / 2)}\" y=\"{Height - 16}\" text-anchor=\"middle\">percentile</text>\n");
        sb.Append(Inv, $"<text x=\"18\" y=\"{Top + (plotH / 2)}\" text-anchor=\"middle\" transform=\"rotate(-90 18 {Top + (plotH / 2)})\">latency (ms)</text>\n");

        AppendPercentileSeries(sb, "latency", LatencyCorrectionText.SeriesLabel(result.LatencyCorrection), "#c0392b", latency, decades, yMax, curveW, maxX, plotH, 0);
        AppendPercentileSeries(sb, "service-time", "service time", "#2471a3", service, decades, yMax, curveW, maxX, plotH, 1);
        int noteX = Width - Right + 12;
        (string noteFirst, string noteSecond) = LatencyCorrectionText.ChartNote(result.LatencyCorrection);
        sb.Append(Inv, $"<text x=\"{noteX}\" y=\"{Top + 64}\" font-size=\"10\" fill=\"#666\">{Escape(noteFirst)}</text>\n");
        sb.Append(Inv, $"<text x=\"{noteX}\" y=\"{Top + 77}\" font-size=\"10\" fill=\"#666\">{Escape(noteSecond)}</text>\n");
        sb.Append(Inv, $"<text x=\"{noteX}\" y=\"{Top + 93}\" font-size=\"10\" fill=\"#666\">service: from the actual send</text>\n");
        sb.Append("</svg>");
        return sb.ToString();
    }

    private static void AppendPercentileSeries(
        StringBuilder sb, string id, string label, string colour, HdrHistogram micros, int decades, double yMax, int curveW, double maxX, int plotH, int legendRow)
    {
        const int Points = 300;
        double lastX = 0, lastY = 0;
        sb.Append(Inv, $"<polyline class=\"series\" data-series=\"{id}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"");
        if (micros.TotalCount > 0)
        {
            for (int i = 0; i <= Points; i++)
            {
                double xDecades = decades * i / (double)Points;
                double percentile = 100.0 * (1 - Math.Pow(10, -xDecades));
                double ms = micros.GetValueAtPercentile(percentile) / 1000.0;
                lastX = Left + (curveW * xDecades / decades);
                lastY = Top + plotH - (plotH * Math.Min(ms, yMax) / yMax);
                sb.Append(Inv, $"{lastX:0.##},{lastY:0.##} ");
            }
        }
        sb.Append("\"/>\n");
        if (micros.TotalCount > 0)
        {
            // The maximum in its own column, joined to the end of the curve by a dotted line (no values lie between).
            double maxY = Top + plotH - (plotH * Math.Min(micros.Max / 1000.0, yMax) / yMax);
            sb.Append(Inv, $"<line x1=\"{lastX:0.##}\" y1=\"{lastY:0.##}\" x2=\"{maxX:0.##}\" y2=\"{maxY:0.##}\" stroke=\"{colour}\" stroke-width=\"1\" stroke-dasharray=\"2,3\"/>\n");
            sb.Append(Inv, $"<circle class=\"max\" data-series=\"{id}-max\" cx=\"{maxX:0.##}\" cy=\"{maxY:0.##}\" r=\"4\" fill=\"{colour}\"/>\n");
        }
        int ly = Top + 14 + (legendRow * 20);
        int lx = Width - Right + 12;
        sb.Append(Inv, $"<line x1=\"{lx}\" y1=\"{ly - 4}\" x2=\"{lx + 20}\" y2=\"{ly - 4}\" stroke=\"{colour}\" stroke-width=\"3\"/>\n");
        sb.Append(Inv, $"<text x=\"{lx + 26}\" y=\"{ly}\" font-size=\"11\">{Escape(label)}</text>\n");
    }

    private static string TimelineSvg(LoadTestResult result, bool rate)
    {
        IReadOnlyList<LoadInterval> intervals = result.Intervals;
        int plotW = Width - Left - Right, plotH = 240;
        int height = plotH + Top + Bottom;
        double tMax = Math.Max(1, intervals.Count > 0 ? intervals[^1].ElapsedSeconds : 1);
        double yMax = 1;
        foreach (LoadInterval i in intervals)
            yMax = Math.Max(yMax, rate ? Math.Max(i.SentPerSecond, i.AnsweredPerSecond) : i.MaxMicros / 1000.0);
        yMax = NiceCeiling(yMax);

        var sb = new StringBuilder();
        sb.Append(Inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.Append(Inv, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\" stroke=\"#888\"/>\n");
        for (int t = 0; t <= 4; t++)
        {
            double y = Top + plotH - (plotH * t / 4.0);
            sb.Append(Inv, $"<text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{(yMax * t / 4).ToString(rate ? "N0" : "0.###", Inv)}</text>\n");
            sb.Append(Inv, $"<line x1=\"{Left}\" y1=\"{y:0.#}\" x2=\"{Left + plotW}\" y2=\"{y:0.#}\" stroke=\"#eee\"/>\n");
        }
        sb.Append(Inv, $"<text x=\"{Left + (plotW / 2)}\" y=\"{height - 16}\" text-anchor=\"middle\">seconds since start (warm-up shaded)</text>\n");
        sb.Append(Inv, $"<text x=\"18\" y=\"{Top + (plotH / 2)}\" text-anchor=\"middle\" transform=\"rotate(-90 18 {Top + (plotH / 2)})\">{(rate ? "per second" : "ms")}</text>\n");
        double warmX = Left + (plotW * Math.Min(result.Options.Warmup.TotalSeconds, tMax) / tMax);
        sb.Append(Inv, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{warmX - Left:0.#}\" height=\"{plotH}\" fill=\"#f3f3f3\"/>\n");

        (string Id, string Colour, Func<LoadInterval, double> Value)[] series = rate
            ? [("sent", "#7d3c98", i => i.SentPerSecond), ("answered", "#229954", i => i.AnsweredPerSecond)]
            : [("p50", "#2471a3", i => i.P50Micros / 1000.0), ("p99", "#c0392b", i => i.P99Micros / 1000.0), ("max", "#7f8c8d", i => i.MaxMicros / 1000.0)];
        int row = 0;
        foreach ((string id, string colour, Func<LoadInterval, double> value) in series)
        {
            sb.Append(Inv, $"<polyline class=\"series\" data-series=\"{id}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"");
            foreach (LoadInterval i in intervals)
            {
                double x = Left + (plotW * i.ElapsedSeconds / tMax);
                double y = Top + plotH - (plotH * Math.Min(value(i), yMax) / yMax);
                sb.Append(Inv, $"{x:0.##},{y:0.##} ");
            }
            sb.Append("\"/>\n");
            int ly = Top + 14 + (row++ * 20);
            sb.Append(Inv, $"<line x1=\"{Width - Right + 12}\" y1=\"{ly - 4}\" x2=\"{Width - Right + 32}\" y2=\"{ly - 4}\" stroke=\"{colour}\" stroke-width=\"3\"/>\n");
            sb.Append(Inv, $"<text x=\"{Width - Right + 38}\" y=\"{ly}\" font-size=\"11\">{id}</text>\n");
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    /// <summary>The smallest 1, 2 or 5 times a power of ten at or above <paramref name="value"/> (at least 0.001).</summary>
    internal static double NiceCeiling(double value)
    {
        if (!(value > 0.001)) return 0.001;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (double step in (ReadOnlySpan<double>)[1, 2, 5, 10])
        {
            if (step * magnitude >= value) return step * magnitude;
        }
        return 10 * magnitude;
    }

    private static string Escape(string text) => WebUtility.HtmlEncode(text);
}
