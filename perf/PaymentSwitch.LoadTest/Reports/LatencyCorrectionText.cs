using System.Globalization;

namespace PaymentSwitch.LoadTest.Reports;

/// <summary>What each report says about a run's <see cref="LatencyCorrection"/>, so none claims a correction that did not apply.</summary>
internal static class LatencyCorrectionText
{
    /// <summary>The heading of the latency figures in the text report.</summary>
    public static string Heading(LoadTestResult result)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        long count = result.Latency.TotalCount;
        return result.LatencyCorrection switch
        {
            LatencyCorrection.ExpectedInterval => string.Create(inv,
                $"Latency from intended send time (answer + think time), corrected for coordinated omission by back-filling with the {result.Options.ThinkTime.TotalMilliseconds:0.###} ms think time as the expected interval ({count:N0} values incl. back-filled; timeouts and lost requests included):"),
            LatencyCorrection.None => string.Create(inv,
                $"Latency from intended send time (answer), NOT corrected for coordinated omission: closed loop without think time has no schedule or interval to correct against, so a stall shows as one slow answer per terminal; use --rate or --think-time ({count:N0} values; timeouts and lost requests included):"),
            _ => string.Create(inv,
                $"Latency from intended send time in the schedule (coordinated-omission corrected; {count:N0} values; timeouts and lost requests included):"),
        };
    }

    /// <summary>The legend of the latency series in the charts.</summary>
    public static string SeriesLabel(LatencyCorrection correction) => correction switch
    {
        LatencyCorrection.ExpectedInterval => "latency (back-filled)",
        LatencyCorrection.None => "latency (not corrected)",
        _ => "latency (corrected)",
    };

    /// <summary>Two short lines under the chart legend saying what the latency series is.</summary>
    public static (string First, string Second) ChartNote(LatencyCorrection correction) => correction switch
    {
        LatencyCorrection.ExpectedInterval => ("back-filled: think time as the", "expected interval (coord. omission)"),
        LatencyCorrection.None => ("not corrected: closed loop", "without think time"),
        _ => ("corrected: from the intended", "send time (coordinated omission)"),
    };

    /// <summary>The value of <c>latencyCorrection</c> in the JSON report.</summary>
    public static string JsonName(LatencyCorrection correction) => correction switch
    {
        LatencyCorrection.ExpectedInterval => "expected-interval",
        LatencyCorrection.None => "none",
        _ => "intended-send-time",
    };
}
