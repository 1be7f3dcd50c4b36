using PaymentSwitch.LoadTest.Tests.Support;

namespace PaymentSwitch.LoadTest.Tests;

/// <summary>The scheduler-lag figure is the harness's own delay: waits the target imposes stay out of it.</summary>
public sealed class SchedulerLagTests
{
    [Fact]
    public async Task Requests_held_by_a_send_the_target_does_not_take_up_are_not_scheduler_lag()
    {
        // 10,000/s on one connection; the responder stops reading for 3 s with a 256 KiB receive buffer, so after
        // about 2 s the harness's socket buffer (up to 4 MiB here) is full and its send stays pending while requests
        // come due. The in-flight bound (100,000) is never reached: nothing is backlogged, yet the requests wait, held
        // by the target. Counted as the scheduler's lag, they made it about 800 ms.
        await using var responder = new IsoResponder(TestWire.Dialect, TestWire.Framing, new ResponderBehaviour { StallAtRequest = 5000, StallMs = 3000, ReceiveBufferBytes = 256 * 1024 });
        LoadTestOptions options = TestWire.Options(responder.Port, o =>
        {
            o.Connections = 1;
            o.RatePerSecond = 10000;
            o.Warmup = TimeSpan.FromMilliseconds(500);
            o.Duration = TimeSpan.FromSeconds(4);
            o.MaxInFlightPerConnection = 100_000;
        });

        LoadTestResult result = await TestWire.RunAsync(options);
        string summary = TestWire.Describe(result) + $"; backlogged {result.Backlogged}; latency max {result.Latency.Max} us; service max {result.ServiceTime.Max} us; scheduler lag p99 {result.SchedulerLag.GetValueAtPercentile(99)} us, max {result.SchedulerLag.Max} us";

        Assert.True(result.TotalErrors == 0 && result.Backlogged == 0, summary);
        // The stall shows where it belongs: in the latency from the intended send time.
        Assert.True(result.Latency.Max >= 700_000, summary);
        Assert.True(result.SchedulerLag.Max < 300_000, summary);
    }
}
