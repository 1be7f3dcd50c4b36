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
}
