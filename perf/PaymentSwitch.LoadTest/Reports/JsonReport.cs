using System.Text.Json;
using PaymentSwitch.Metrics;

namespace PaymentSwitch.LoadTest.Reports;

/// <summary>
/// The final report as JSON: configuration, counts, errors by kind, response codes, latency percentiles in
/// milliseconds, harness cost and the per-interval progress records.
/// </summary>
public static class JsonReport
{
    public static void Write(LoadTestResult result, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(stream);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        LoadTestOptions o = result.Options;
        w.WriteStartObject();
        w.WriteBoolean("passed", result.Passed);
        if (result.FatalError is not null) w.WriteString("fatalError", result.FatalError);

        w.WriteStartObject("config");
        w.WriteString("target", $"{o.TargetHost}:{o.TargetPort}");
        w.WriteString("mode", TextReport.ModeName(o.Mode));
        w.WriteNumber("connections", o.Connections);
        w.WriteNumber("targetRatePerSecond", o.RatePerSecond);
        w.WriteBoolean("closedLoop", o.IsClosedLoop);
        w.WriteNumber("durationSeconds", o.Duration.TotalSeconds);
        w.WriteNumber("warmupSeconds", o.Warmup.TotalSeconds);
        w.WriteNumber("timeoutMs", o.Timeout.TotalMilliseconds);
        w.WriteNumber("thinkTimeMs", o.ThinkTime.TotalMilliseconds);
        w.WriteNumber("maxInFlightPerConnection", o.EffectiveMaxInFlight);
        w.WriteNumber("tickMs", o.Tick.TotalMilliseconds);
        w.WriteString("wire", result.Wire);
        w.WriteBoolean("acceptSystemFailureCodes", o.AcceptSystemFailureCodes);
        WriteStrings(w, "cardBins", o.CardBins);
        WriteStrings(w, "walletBins", o.WalletBins);
        WriteStrings(w, "unknownBins", o.UnknownBins);
        if (double.IsNaN(o.WalletShare)) w.WriteNull("walletShare");
        else w.WriteNumber("walletShare", o.WalletShare);
        w.WriteNumber("unknownBinShare", o.UnknownBinShare);
        w.WriteNumber("reversalShare", o.ReversalShare);
        w.WriteNumber("financialShare", o.FinancialShare);
        w.WriteNumber("amountMinMinor", o.AmountMinMinor);
        w.WriteNumber("amountMaxMinor", o.AmountMaxMinor);
        w.WriteEndObject();

        w.WriteString("startedAt", result.StartedAt);
        w.WriteNumber("measuredSeconds", result.MeasuredSeconds);
        w.WriteNumber("wallSeconds", result.WallSeconds);

        w.WriteStartObject("requests");
        w.WriteNumber("sent", result.Sent);
        w.WriteNumber("answered", result.Answered);
        w.WriteNumber("answeredOk", result.AnsweredOk);
        w.WriteNumber("measuredSent", result.MeasuredSent);
        w.WriteNumber("measuredAnswered", result.MeasuredAnswered);
        w.WriteNumber("measuredOk", result.MeasuredOk);
        w.WriteNumber("backlogged", result.Backlogged);
        w.WriteNumber("lateAnswers", result.LateAnswers);
        w.WriteNumber("reversalsSent", result.ReversalsSent);
        w.WriteNumber("reversalsUnavailable", result.ReversalsUnavailable);
        w.WriteEndObject();

        // Rates over the longer of the measured window and the span of the measured answers (sends), first to last.
        w.WriteNumber("achievedRatePerSecond", Math.Round(result.AchievedRatePerSecond, 1));
        w.WriteNumber("sentRatePerSecond", Math.Round(result.SentRatePerSecond, 1));
        w.WriteNumber("measuredAnswerSpanSeconds", Math.Round(result.MeasuredAnswerSpanSeconds, 3));
        w.WriteNumber("measuredSendSpanSeconds", Math.Round(result.MeasuredSendSpanSeconds, 3));
        w.WriteNumber("requiredShareOfTargetRate", LoadTestResult.RequiredShareOfTargetRate);
        w.WriteBoolean("fellShortOfTargetRate", result.FellShortOfTargetRate);

        w.WriteStartObject("errors");
        w.WriteNumber("total", result.TotalErrors);
        w.WriteStartObject("byKind");
        foreach (KeyValuePair<LoadErrorKind, long> pair in result.Errors) w.WriteNumber(LoadTestResult.KindName(pair.Key), pair.Value);
        w.WriteEndObject();
        WriteStrings(w, "samples", result.ErrorSamples);
        w.WriteEndObject();

        w.WriteStartObject("responseCodes");
        foreach (KeyValuePair<string, long> pair in result.ResponseCodes) w.WriteNumber(pair.Key, pair.Value);
        w.WriteEndObject();

        w.WriteString("latencyCorrection", LatencyCorrectionText.JsonName(result.LatencyCorrection));
        WriteLatency(w, "latencyMs", result.Latency);
        WriteLatency(w, "serviceTimeMs", result.ServiceTime);

        w.WriteStartObject("harness");
        w.WriteNumber("cpuSeconds", Math.Round(result.HarnessCpuSeconds, 3));
        w.WriteNumber("cpuPercentOfMachine", Math.Round(result.HarnessCpuPercentOfMachine, 1));
        w.WriteNumber("processorCount", Environment.ProcessorCount);
        w.WriteNumber("cpuMicrosPerRequest", Math.Round(result.HarnessCpuMicrosPerRequest, 2));
        w.WriteNumber("allocatedBytesPerRequest", Math.Round(result.AllocatedBytesPerRequest, 2));
        w.WriteNumber("gen0Collections", result.Gen0Collections);
        w.WriteNumber("gen1Collections", result.Gen1Collections);
        w.WriteNumber("gen2Collections", result.Gen2Collections);
        WriteLatency(w, "schedulerLagMs", result.SchedulerLag);
        w.WriteEndObject();

        w.WriteStartArray("intervals");
        foreach (LoadInterval i in result.Intervals)
        {
            w.WriteStartObject();
            w.WriteNumber("elapsedSeconds", i.ElapsedSeconds);
            w.WriteBoolean("warmup", i.Warmup);
            w.WriteNumber("sentPerSecond", i.SentPerSecond);
            w.WriteNumber("answeredPerSecond", i.AnsweredPerSecond);
            w.WriteNumber("errors", i.Errors);
            w.WriteNumber("inFlight", i.InFlight);
            w.WriteNumber("backlogged", i.Backlogged);
            w.WriteNumber("p50Ms", i.P50Micros / 1000.0);
            w.WriteNumber("p99Ms", i.P99Micros / 1000.0);
            w.WriteNumber("maxMs", i.MaxMicros / 1000.0);
            w.WriteNumber("cumulativeP99Ms", i.CumulativeP99Micros / 1000.0);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteLatency(Utf8JsonWriter w, string name, HdrHistogram micros)
    {
        w.WriteStartObject(name);
        w.WriteNumber("count", micros.TotalCount);
        w.WriteNumber("min", micros.Min / 1000.0);
        w.WriteNumber("mean", Math.Round(micros.Mean / 1000.0, 3));
        w.WriteNumber("p50", micros.GetValueAtPercentile(50) / 1000.0);
        w.WriteNumber("p90", micros.GetValueAtPercentile(90) / 1000.0);
        w.WriteNumber("p99", micros.GetValueAtPercentile(99) / 1000.0);
        w.WriteNumber("p99.9", micros.GetValueAtPercentile(99.9) / 1000.0);
        w.WriteNumber("p99.99", micros.GetValueAtPercentile(99.99) / 1000.0);
        w.WriteNumber("max", micros.Max / 1000.0);
        w.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (string v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }
}
