using PaymentSwitch.LoadTest.Tests.Support;

namespace PaymentSwitch.LoadTest.Tests;

public sealed class CoordinatedOmissionTests
{
    [Theory]
    [InlineData(10)]
    [InlineData(1000)]
    public async Task A_500ms_stall_of_the_peer_shows_in_the_high_percentiles(int maxInFlight)
    {
        // 1,000/s: 0.5 s warm-up, then 3 s measured; the responder stops answering (and reading) for 500 ms when
        // its 1,000th request arrives, half a second into the measured part.
        await using var responder = new IsoResponder(TestWire.Dialect, TestWire.Framing, new ResponderBehaviour { StallAtRequest = 1000, StallMs = 500 });
        LoadTestOptions options = TestWire.Options(responder.Port, o =>
        {
            o.Connections = 1;
            o.RatePerSecond = 1000;
            o.Warmup = TimeSpan.FromMilliseconds(500);
            o.Duration = TimeSpan.FromSeconds(3);
            o.Timeout = TimeSpan.FromSeconds(3);
            o.MaxInFlightPerConnection = maxInFlight;
        });

        LoadTestResult result = await TestWire.RunAsync(options);
        string summary = TestWire.Describe(result) + $"; backlogged {result.Backlogged}; intervals: "
            + string.Join(" | ", result.Intervals.Select(i => $"{i.ElapsedSeconds}s sent {i.SentPerSecond} in-flight {i.InFlight} backlogged {i.Backlogged} max {i.MaxMicros}"));

        Assert.True(result.Passed, summary);
        // ~500 of the 3,000 measured requests were due during the stall, their latencies spread from 500 ms down to 0:
        // far more than 1% of them waited 250 ms or more.
        long p99 = result.Latency.GetValueAtPercentile(99);
        Assert.True(p99 >= 250_000, $"p99 {p99} us; {summary}");
        Assert.True(result.Latency.Max >= 450_000, $"max {result.Latency.Max} us; {summary}");
        if (maxInFlight == 10)
        {
            // The harness could not send during the stall: timed from the actual send, only the 10 requests in flight
            // saw it (a third of 1% of the measured ones), so an uncorrected p99 would miss it.
            Assert.True(result.Backlogged >= 300, summary);
            long serviceP99 = result.ServiceTime.GetValueAtPercentile(99);
            Assert.True(serviceP99 < p99 / 2, $"service p99 {serviceP99} us vs corrected p99 {p99} us; {summary}");
        }
    }

    [Fact]
    public async Task A_500ms_stall_shows_in_the_percentiles_of_closed_loop_terminals_with_a_think_time()
    {
        // 4 closed-loop terminals, 10 ms think time: about 90 requests a second each. The responder stops answering
        // for 500 ms when its 600th request arrives, about 1.2 s into the measured part. Each terminal waits once for
        // ~500 ms; uncorrected that is 4 slow values among ~1,000, below 1%. With the think time as the expected
        // interval each slow value V also records V - 10 ms, V - 20 ms, …: the ~50 requests each terminal would have
        // sent meanwhile, and the stall reaches the p99.
        await using var responder = new IsoResponder(TestWire.Dialect, TestWire.Framing, new ResponderBehaviour { StallAtRequest = 600, StallMs = 500 });
        LoadTestOptions options = TestWire.Options(responder.Port, o =>
        {
            o.Mode = LoadTestMode.Terminals;
            o.Connections = 4;
            o.RatePerSecond = 0;
            o.MaxInFlightPerConnection = 1;
            o.ThinkTime = TimeSpan.FromMilliseconds(10);
            o.Warmup = TimeSpan.FromMilliseconds(500);
            o.Duration = TimeSpan.FromSeconds(3);
        });

        LoadTestResult result = await TestWire.RunAsync(options);
        var text = new StringWriter();
        Reports.TextReport.Write(result, text);
        string summary = TestWire.Describe(result) + "\n" + text;

        Assert.True(result.Passed, summary);
        Assert.Equal(LatencyCorrection.ExpectedInterval, result.LatencyCorrection);
        Assert.True(result.Latency.Max >= 450_000, summary);
        Assert.True(result.Latency.GetValueAtPercentile(99) >= 250_000, summary);
        // The service time is not corrected: only the 4 stalled answers are slow there.
        Assert.True(result.ServiceTime.GetValueAtPercentile(99) < 100_000, summary);
        Assert.Contains("back-filling with the 10 ms think time as the expected interval", text.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Closed_loop_terminals_without_a_think_time_are_reported_as_not_corrected()
    {
        await using var responder = new IsoResponder(TestWire.Dialect, TestWire.Framing);
        LoadTestOptions options = TestWire.Options(responder.Port, o =>
        {
            o.Mode = LoadTestMode.Terminals;
            o.Connections = 2;
            o.RatePerSecond = 0;
            o.MaxInFlightPerConnection = 1;
            o.Duration = TimeSpan.FromMilliseconds(300);
        });

        LoadTestResult result = await TestWire.RunAsync(options);
        var text = new StringWriter();
        Reports.TextReport.Write(result, text);
        string svg = Reports.LatencyChart.Svg(result);

        Assert.Equal(LatencyCorrection.None, result.LatencyCorrection);
        Assert.Contains("NOT corrected for coordinated omission", text.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("coordinated-omission corrected", text.ToString(), StringComparison.Ordinal);
        Assert.Contains("latency (not corrected)", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("latency (corrected)", svg, StringComparison.Ordinal);
    }
}
