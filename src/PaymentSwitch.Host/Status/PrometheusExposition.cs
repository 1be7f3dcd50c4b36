using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using PaymentSwitch.Core.Metrics;

namespace PaymentSwitch.Host.Status;

/// <summary>
/// Writes <c>GET /metrics</c> in the Prometheus text exposition format (version 0.0.4). The figures are the
/// instruments of the switch's <see cref="Meter"/>, collected through a <see cref="MeterListener"/> for each scrape, so
/// Prometheus, dotnet-counters and OpenTelemetry see the same numbers under the same (converted) names. The latency
/// histogram comes from <see cref="SwitchMetrics.ReadLatencyHistograms"/> (the meter's histogram is only fed while a
/// listener enables it).
/// </summary>
internal static class PrometheusExposition
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly record struct Sample(string Labels, string Value);

    public static string Write(SwitchMetrics metrics, bool ready)
    {
        var instruments = new List<Instrument>();
        var samples = new Dictionary<Instrument, List<Sample>>();
        using (var listener = new MeterListener())
        {
            Meter meter = metrics.Meter;
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (!ReferenceEquals(instrument.Meter, meter)) return;
                lock (instruments) instruments.Add(instrument);
                if (instrument.IsObservable) l.EnableMeasurementEvents(instrument);
            };
            listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(samples, i, tags, v.ToString(CultureInfo.InvariantCulture)));
            listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(samples, i, tags, v.ToString(CultureInfo.InvariantCulture)));
            listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(samples, i, tags, Number(v)));
            listener.Start();
            listener.RecordObservableInstruments();
        }

        var text = new StringBuilder(16 * 1024);
        Family(text, "paymentswitch_build_info", "gauge", "Version of the running switch (always 1).");
        text.Append("paymentswitch_build_info{version=\"").Append(EscapeLabel(StatusDocument.Version)).Append("\"} 1\n");
        Family(text, "paymentswitch_ready", "gauge", "1 when the switch is ready (journal recovered, listeners open, every routed issuer signed on); see /health/ready.");
        text.Append("paymentswitch_ready ").Append(ready ? '1' : '0').Append('\n');

        Instrument[] ordered;
        lock (instruments) ordered = [.. instruments];
        foreach (Instrument instrument in ordered)
        {
            string name = PrometheusNames.MetricName(instrument);
            if (PrometheusNames.IsHistogram(instrument))
            {
                Family(text, name, "histogram", instrument.Description);
                WriteLatencyHistograms(text, name, metrics.ReadLatencyHistograms());
                continue;
            }
            if (!samples.TryGetValue(instrument, out List<Sample>? list)) continue;
            Family(text, name, PrometheusNames.TypeOf(instrument), instrument.Description);
            foreach (Sample sample in list) text.Append(name).Append(sample.Labels).Append(' ').Append(sample.Value).Append('\n');
        }
        return text.ToString();
    }

    private static void WriteLatencyHistograms(StringBuilder text, string name, IReadOnlyList<LatencyHistogram> histograms)
    {
        IReadOnlyList<double> bounds = SwitchMetrics.LatencyBucketBoundsSeconds;
        foreach (LatencyHistogram histogram in histograms)
        {
            string issuer = "issuer=\"" + EscapeLabel(histogram.IssuerId) + "\"";
            for (int i = 0; i <= bounds.Count; i++)
            {
                string le = i < bounds.Count ? Number(bounds[i]) : "+Inf";
                text.Append(name).Append("_bucket{").Append(issuer).Append(",le=\"").Append(le).Append("\"} ")
                    .Append(histogram.CumulativeCounts[i].ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
            text.Append(name).Append("_sum{").Append(issuer).Append("} ").Append(Number(histogram.SumSeconds)).Append('\n');
            text.Append(name).Append("_count{").Append(issuer).Append("} ").Append(histogram.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
    }

    private static void Add(Dictionary<Instrument, List<Sample>> samples, Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags, string value)
    {
        if (!samples.TryGetValue(instrument, out List<Sample>? list)) samples[instrument] = list = [];
        list.Add(new Sample(Labels(tags), value));
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0) return "";
        var labels = new StringBuilder("{");
        for (int i = 0; i < tags.Length; i++)
        {
            if (i > 0) labels.Append(',');
            labels.Append(tags[i].Key).Append("=\"").Append(EscapeLabel(Convert.ToString(tags[i].Value, CultureInfo.InvariantCulture) ?? "")).Append('"');
        }
        return labels.Append('}').ToString();
    }

    private static void Family(StringBuilder text, string name, string type, string? help)
    {
        text.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(help ?? name)).Append('\n');
        text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
    }

    public static string Number(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    private static string EscapeLabel(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeHelp(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("\n", "\\n", StringComparison.Ordinal);
}
