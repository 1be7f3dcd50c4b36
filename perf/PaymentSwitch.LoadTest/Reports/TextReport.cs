using System.Globalization;
using PaymentSwitch.Metrics;

namespace PaymentSwitch.LoadTest.Reports;

/// <summary>The final report as text for people (stdout).</summary>
public static class TextReport
{
    /// <summary>Percentiles shown in every report.</summary>
    public static readonly double[] Percentiles = [50, 90, 99, 99.9, 99.99];

    public static void Write(LoadTestResult result, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(writer);
        CultureInfo inv = CultureInfo.InvariantCulture;
        LoadTestOptions o = result.Options;
        string pacing = o.IsClosedLoop
            ? $"closed loop, think time {o.ThinkTime.TotalMilliseconds.ToString("0.###", inv)} ms"
            : $"target {o.RatePerSecond.ToString("N0", inv)}/s";
        writer.WriteLine(string.Create(inv, $"PaymentSwitch load test: {ModeName(o.Mode)} mode, {o.Connections:N0} connections -> {o.TargetHost}:{o.TargetPort} ({result.Wire})"));
        writer.WriteLine(string.Create(inv, $"  {pacing}; {o.Duration.TotalSeconds:0.###} s measured after {o.Warmup.TotalSeconds:0.###} s warm-up; timeout {o.Timeout.TotalMilliseconds:0.###} ms; max in flight {o.EffectiveMaxInFlight:N0} per connection{(o.AcceptSystemFailureCodes ? "; DE39 91/96 accepted (--accept-system-failures)" : "")}"));
        if (result.FatalError is not null)
        {
            writer.WriteLine($"  The run did not take place: {result.FatalError}.");
            WriteErrors(result, writer);
            writer.WriteLine("Result: FAILED");
            return;
        }

        writer.WriteLine(string.Create(inv, $"Requests: {result.Sent:N0} sent, {result.Answered:N0} answered, {result.AnsweredOk:N0} checked out (all phases)"));
        writer.WriteLine(string.Create(inv, $"Measured: {result.MeasuredSent:N0} sent, {result.MeasuredAnswered:N0} answered in {result.MeasuredSeconds:0.###} s"));
        string vsTarget = o.IsClosedLoop ? "" : string.Create(inv, $" ({100.0 * result.AchievedRatePerSecond / o.RatePerSecond:0.0}% of target)");
        writer.WriteLine(string.Create(inv, $"Achieved rate: {result.AchievedRatePerSecond:N0} answers/s{vsTarget}; sent {result.SentRatePerSecond:N0}/s"));
        writer.WriteLine(string.Create(inv,
            $"  (measured answers over the longer of the measured window and their own span, first to last: {result.MeasuredAnswerSpanSeconds:0.###} s; sends likewise, {result.MeasuredSendSpanSeconds:0.###} s)"));
        if (result.FellShortOfTargetRate)
        {
            writer.WriteLine(string.Create(inv,
                $"  The target (or the harness) did not keep up: below {100 * LoadTestResult.RequiredShareOfTargetRate:0}% of the target rate fails the run; see backlogged, in-flight and the harness lines."));
        }
        writer.WriteLine(string.Create(inv, $"Backlogged: {result.Backlogged:N0} (waited for a free in-flight slot); late answers after timeout: {result.LateAnswers:N0}"));
        if (o.ReversalShare > 0)
            writer.WriteLine(string.Create(inv, $"Reversals: {result.ReversalsSent:N0} sent; {result.ReversalsUnavailable:N0} drawn with nothing approved to reverse (sent as new transactions)"));

        WriteErrors(result, writer);

        var codes = new List<string>();
        foreach (KeyValuePair<string, long> pair in result.ResponseCodes) codes.Add(string.Create(inv, $"{pair.Key}: {pair.Value:N0}"));
        writer.WriteLine("Response codes (DE39): " + (codes.Count == 0 ? "none" : string.Join(", ", codes)));

        writer.WriteLine(LatencyCorrectionText.Heading(result));
        writer.WriteLine("  " + PercentileLine(result.Latency));
        writer.WriteLine(string.Create(inv, $"Service time from actual send (not corrected; what a closed-loop tool would show):"));
        writer.WriteLine("  " + PercentileLine(result.ServiceTime));
        writer.WriteLine(string.Create(inv,
            $"Harness: CPU {result.HarnessCpuSeconds:0.00} s = {result.HarnessCpuPercentOfMachine:0.0}% of {Environment.ProcessorCount} cores over {result.WallSeconds:0.0} s ({result.HarnessCpuMicrosPerRequest:0.0} us CPU per request); " +
            $"allocated {result.AllocatedBytesPerRequest:0.0} bytes per measured request; GC {result.Gen0Collections}/{result.Gen1Collections}/{result.Gen2Collections} (gen0/1/2)"));
        writer.WriteLine(string.Create(inv,
            $"  scheduler lag behind intended send time (measured requests not held back by the target: in-flight bound, pending send): p50 {FormatMicros(result.SchedulerLag.GetValueAtPercentile(50))}, p99 {FormatMicros(result.SchedulerLag.GetValueAtPercentile(99))}, max {FormatMicros(result.SchedulerLag.Max)} (tick {o.Tick.TotalMilliseconds:0.###} ms)"));
        writer.WriteLine(ResultLine(result));
    }

    /// <summary>"Result: PASSED", or "Result: FAILED (…)" with every reason.</summary>
    private static string ResultLine(LoadTestResult result)
    {
        if (result.Passed) return "Result: PASSED";
        CultureInfo inv = CultureInfo.InvariantCulture;
        var reasons = new List<string>();
        if (result.TotalErrors > 0) reasons.Add(string.Create(inv, $"{result.TotalErrors:N0} errors"));
        if (result.FellShortOfTargetRate)
        {
            reasons.Add(string.Create(inv,
                $"achieved {100.0 * result.AchievedRatePerSecond / result.Options.RatePerSecond:0.0}% of the target rate, below {100 * LoadTestResult.RequiredShareOfTargetRate:0}%"));
        }
        return "Result: FAILED (" + string.Join("; ", reasons) + ")";
    }

    private static void WriteErrors(LoadTestResult result, TextWriter writer)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        var kinds = new List<string>();
        foreach (KeyValuePair<LoadErrorKind, long> pair in result.Errors)
        {
            if (pair.Value > 0) kinds.Add(string.Create(inv, $"{LoadTestResult.KindName(pair.Key)} {pair.Value:N0}"));
        }
        writer.WriteLine(kinds.Count == 0 ? "Errors: none" : string.Create(inv, $"Errors: {result.TotalErrors:N0} ({string.Join(", ", kinds)})"));
        foreach (string sample in result.ErrorSamples) writer.WriteLine("  e.g. " + sample);
    }

    /// <summary>"p50 0.412 ms  p90 …  max …" for a histogram of microseconds.</summary>
    public static string PercentileLine(HdrHistogram micros)
    {
        ArgumentNullException.ThrowIfNull(micros);
        var parts = new List<string>();
        foreach (double p in Percentiles) parts.Add($"p{p.ToString("0.##", CultureInfo.InvariantCulture)} {FormatMicros(micros.GetValueAtPercentile(p))}");
        parts.Add($"max {FormatMicros(micros.Max)}");
        return string.Join("  ", parts);
    }

    /// <summary>Microseconds as milliseconds with sensible precision ("0.412 ms", "12.5 ms", "1,204 ms").</summary>
    public static string FormatMicros(long micros)
    {
        double ms = micros / 1000.0;
        string format = ms < 10 ? "0.000" : ms < 100 ? "0.00" : ms < 1000 ? "0.0" : "N0";
        return ms.ToString(format, CultureInfo.InvariantCulture) + " ms";
    }

    internal static string ModeName(LoadTestMode mode) => mode == LoadTestMode.Terminals ? "terminals" : "acquirer";
}
