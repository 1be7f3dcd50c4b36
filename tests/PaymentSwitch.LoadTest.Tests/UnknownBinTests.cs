using PaymentSwitch.LoadTest.Tests.Support;

namespace PaymentSwitch.LoadTest.Tests;

public sealed class UnknownBinTests
{
    [Fact]
    public async Task Unknown_BINs_expect_DE39_15_and_a_correct_peer_passes()
    {
        await using var responder = new IsoResponder(TestWire.Dialect, TestWire.Framing);
        LoadTestOptions options = TestWire.Options(responder.Port, o =>
        {
            o.RatePerSecond = 1000;
            o.UnknownBinShare = 0.3;
            o.UnknownBins = ["100000", "222222"];
        });

        LoadTestResult result = await TestWire.RunAsync(options);

        Assert.True(result.Passed, string.Join("; ", result.ErrorSamples));
        long fifteen = result.ResponseCodes["15"];
        Assert.Equal(responder.UnknownBinRequests, fifteen);
        Assert.InRange(fifteen / (double)result.Answered, 0.22, 0.38);
        Assert.Equal(result.Answered, fifteen + result.ResponseCodes["00"]);
    }

    [Fact]
    public async Task A_peer_that_approves_unknown_BINs_is_caught()
    {
        // The responder "knows" every BIN, so it approves the unknown ones too.
        await using var responder = new IsoResponder(TestWire.Dialect, TestWire.Framing, new ResponderBehaviour { KnownBins = ["1", "2", "4", "5"] });
        LoadTestOptions options = TestWire.Options(responder.Port, o =>
        {
            o.RatePerSecond = 1000;
            o.UnknownBinShare = 0.3;
        });

        LoadTestResult result = await TestWire.RunAsync(options);

        Assert.False(result.Passed);
        long unexpected = result.ErrorCount(LoadErrorKind.UnexpectedResponseCode);
        Assert.Equal(result.TotalErrors, unexpected);
        Assert.InRange(unexpected / (double)result.Answered, 0.22, 0.38);
        Assert.Contains("expected 15", string.Join("\n", result.ErrorSamples), StringComparison.Ordinal);
    }
}
