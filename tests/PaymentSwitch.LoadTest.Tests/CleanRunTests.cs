using PaymentSwitch.LoadTest.Tests.Support;
using Xunit.Abstractions;

namespace PaymentSwitch.LoadTest.Tests;

public sealed class CleanRunTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Acquirer_mode_against_a_correct_responder_reports_no_errors_and_the_target_rate()
    {
        await using var responder = new IsoResponder(TestWire.Dialect, TestWire.Framing);
        LoadTestOptions options = TestWire.Options(responder.Port, o =>
        {
            o.Connections = 3;
            o.RatePerSecond = 2000;
            o.Warmup = TimeSpan.FromMilliseconds(500);
            o.Duration = TimeSpan.FromSeconds(2);
            o.FinancialShare = 0.5;
        });

        LoadTestResult result = await TestWire.RunAsync(options);
        var text = new StringWriter();
        Reports.TextReport.Write(result, text);
        output.WriteLine(text.ToString());

        Assert.True(result.Passed, string.Join("; ", result.ErrorSamples));
        Assert.Equal(0, result.TotalErrors);
        Assert.Null(result.FatalError);
        // 2.5 s at 2,000/s: every request scheduled is sent and answered, and the responder saw exactly those.
        Assert.InRange(result.Sent, 4_900, 5_100);
        Assert.Equal(result.Sent, result.Answered);
        Assert.Equal(result.Sent, responder.Requests);
        Assert.InRange(result.AchievedRatePerSecond, 1_900, 2_100);
        Assert.InRange(result.MeasuredAnswered, 3_900, 4_100);
        Assert.Equal(result.MeasuredAnswered, result.Latency.TotalCount);
        Assert.Equal(result.MeasuredAnswered, result.ServiceTime.TotalCount);
        Assert.Equal(result.Answered, result.ResponseCodes["00"]);
        Assert.Equal(0, responder.LuhnFailures);
        Assert.Equal(0, responder.UnknownBinRequests);
        // Every new transaction has its own identity across all connections (no accidental duplicate transmissions).
        Assert.Equal(0, responder.RepeatedKeys);
        // Both MTIs of the mix went out.
        Assert.True(responder.Authorisations > 1_000 && responder.Financials > 1_000, $"0100: {responder.Authorisations}, 0200: {responder.Financials}");
        Assert.True(result.Latency.GetValueAtPercentile(50) < 100_000, "median of a loopback responder is far below 100 ms");
    }

    [Fact]
    public async Task Reversals_carry_DE90_that_names_an_approved_original()
    {
        await using var responder = new IsoResponder(TestWire.Dialect, TestWire.Framing);
        LoadTestOptions options = TestWire.Options(responder.Port, o =>
        {
            o.RatePerSecond = 1000;
            o.ReversalShare = 0.2;
            o.FinancialShare = 0.3;
        });

        LoadTestResult result = await TestWire.RunAsync(options);

        Assert.True(result.Passed, string.Join("; ", result.ErrorSamples));
        Assert.InRange(result.ReversalsSent, 100, 300);
        Assert.Equal(result.ReversalsSent, responder.ReversalsWithValidDe90);
        Assert.Equal(0, responder.ReversalsWithInvalidDe90);
    }

    [Fact]
    public async Task Closed_loop_terminals_have_one_request_in_flight_per_connection()
    {
        await using var responder = new IsoResponder(TestWire.Dialect, TestWire.Framing, new ResponderBehaviour { AnswerDelayMs = 20 });
        LoadTestOptions options = TestWire.Options(responder.Port, o =>
        {
            o.Mode = LoadTestMode.Terminals;
            o.Connections = 4;
            o.RatePerSecond = 0;
            o.MaxInFlightPerConnection = 1;
        });

        LoadTestResult result = await TestWire.RunAsync(options);

        Assert.True(result.Passed, string.Join("; ", result.ErrorSamples));
        Assert.Equal(1, responder.MaxInFlightPerConnection);
        Assert.Equal(0, responder.RepeatedKeys);
        // Each terminal waits ~20 ms per answer: about 50 requests per second each.
        Assert.InRange(result.Sent, 30, 240);
        Assert.True(result.Latency.GetValueAtPercentile(50) >= 19_000, $"p50 {result.Latency.GetValueAtPercentile(50)} us");
    }

    [Fact]
    public async Task Open_loop_terminals_that_cannot_keep_up_stay_at_one_in_flight_and_count_backlog()
    {
        // 4 terminals at 100/s each, but every answer takes 20 ms: each terminal can do only 50/s.
        await using var responder = new IsoResponder(TestWire.Dialect, TestWire.Framing, new ResponderBehaviour { AnswerDelayMs = 20 });
        LoadTestOptions options = TestWire.Options(responder.Port, o =>
        {
            o.Mode = LoadTestMode.Terminals;
            o.Connections = 4;
            o.RatePerSecond = 400;
            o.MaxInFlightPerConnection = 1;
            o.Timeout = TimeSpan.FromSeconds(3);
        });

        LoadTestResult result = await TestWire.RunAsync(options);

        Assert.Equal(1, responder.MaxInFlightPerConnection);
        Assert.True(result.Backlogged > 100, $"backlogged {result.Backlogged}");
        // The queue behind each terminal grows by 10 ms per request: late requests wait hundreds of milliseconds,
        // and the figures show it because latency counts from the intended send time.
        Assert.True(result.Latency.Max >= 300_000, $"max {result.Latency.Max} us");
        Assert.True(result.ServiceTime.GetValueAtPercentile(99) < 200_000, $"service p99 {result.ServiceTime.GetValueAtPercentile(99)} us");
    }

    [Theory]
    [InlineData("iso87-ascii", "len2", null)]
    [InlineData("iso87-bcd", "len4-ascii", "6000010002")]
    [InlineData("iso87-ascii", "len2", "6000300000")]
    public async Task Other_dialects_framings_and_a_TPDU_work_end_to_end(string dialectName, string framingName, string? tpdu)
    {
        PaymentSwitch.Iso8583.Dialect dialect = PaymentSwitch.Iso8583.DialectLoader.LoadByName(TestWire.DialectDirectory, dialectName);
        var framing = PaymentSwitch.Iso8583.Framing.Parse(framingName, tpdu is not null);
        await using var responder = new IsoResponder(dialect, framing);
        LoadTestOptions options = TestWire.Options(responder.Port, o =>
        {
            o.DialectName = dialectName;
            o.FramingName = framingName;
            o.Tpdu = tpdu is null ? null : PaymentSwitch.Iso8583.Tpdu.Read(Convert.FromHexString(tpdu));
            o.ReversalShare = 0.1;
            o.UnknownBinShare = 0.1;
            o.Timeout = TimeSpan.FromSeconds(5); // a correct responder on a host taking half the CPU once missed 1 s
        });

        LoadTestResult result = await LoadTestRunner.RunAsync(options, dialect);

        Assert.True(result.Passed, TestWire.Describe(result));
        Assert.Equal(result.Sent, responder.Answers);
        Assert.True(result.ReversalsSent > 0 && result.ReversalsSent == responder.ReversalsWithValidDe90, TestWire.Describe(result));
        Assert.Equal(framingName + (tpdu is null ? "" : "+tpdu"), result.Wire.Split(", ")[1]);
    }
}
