using PaymentSwitch.Iso8583;
using PaymentSwitch.Simulators.Tests.Support;

namespace PaymentSwitch.Simulators.Tests;

public sealed class CardRulesTests
{
    private static readonly int[] EchoedFields = [2, 3, 4, 7, 11, 12, 13, 32, 37, 41, 42, 49];

    [Theory]
    [InlineData(Mti.AuthorisationRequest, Mti.AuthorisationResponse)]
    [InlineData(Mti.FinancialRequest, Mti.FinancialResponse)]
    public async Task Approves_by_default_and_echoes_the_transaction_fields(int mti, int responseMti)
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync();
        await using IsoTestClient client = await simulator.ConnectAsync();
        IsoMessageBuilder request = Requests.Authorisation(stan: 4711, amountMinor: 1234, mti: mti, expiry: "9912");
        await client.SendAsync(request);

        IsoMessage answer = await client.ReceiveMessageAsync(TestDialects.Ascii);
        Assert.Equal(responseMti, answer.Mti);
        Assert.Equal("00", answer.Text(39));
        Assert.Matches("^[0-9A-Z]{6}$", answer.Text(38));
        foreach (int field in EchoedFields)
            Assert.Equal(System.Text.Encoding.ASCII.GetString(request.Get(field)), answer.Text(field));
        Assert.False(answer.Has(14), "The expiry date is not echoed.");

        IssuerLedgerSnapshot ledger = simulator.Ledger;
        Assert.Equal(1, ledger.ApprovedCount);
        Assert.Equal(1234, ledger.ApprovedAmountMinor);
        Assert.Equal(0, ledger.DeclinedCount);
        Assert.Equal(1234, ledger.NetApprovedAmountMinor);
    }

    [Fact]
    public async Task Declines_with_51_strictly_above_the_amount_limit()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync(o => o.Rules = new IssuerRules { DeclineAboveAmountMinor = 100_000 });
        await using IsoTestClient client = await simulator.ConnectAsync();

        await client.SendAsync(Requests.Authorisation(1, 100_000));
        IsoMessage atLimit = await client.ReceiveMessageAsync(TestDialects.Ascii);
        Assert.Equal("00", atLimit.Text(39));

        await client.SendAsync(Requests.Authorisation(2, 100_001));
        IsoMessage above = await client.ReceiveMessageAsync(TestDialects.Ascii);
        Assert.Equal("51", above.Text(39));
        Assert.False(above.Has(38), "A decline carries no approval code.");
        Assert.Equal("000000100001", above.Text(4));

        IssuerLedgerSnapshot ledger = simulator.Ledger;
        Assert.Equal((1, 100_000, 1, 100_001), (ledger.ApprovedCount, ledger.ApprovedAmountMinor, ledger.DeclinedCount, ledger.DeclinedAmountMinor));
    }

    [Fact]
    public async Task Declines_with_05_card_numbers_ending_with_the_suffix()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync(o => o.Rules = new IssuerRules { DeclinePanSuffix = "0005" });
        await using IsoTestClient client = await simulator.ConnectAsync();

        await client.SendAsync(Requests.Authorisation(1, 500, pan: "4761739001010005"));
        Assert.Equal("05", (await client.ReceiveMessageAsync(TestDialects.Ascii)).Text(39));
        await client.SendAsync(Requests.Authorisation(2, 500, pan: "4761739001010015"));
        Assert.Equal("00", (await client.ReceiveMessageAsync(TestDialects.Ascii)).Text(39));

        Assert.Equal((1, 1), (simulator.Ledger.ApprovedCount, simulator.Ledger.DeclinedCount));
    }

    [Fact]
    public async Task Declines_with_54_a_card_expired_before_the_current_month()
    {
        var clock = new FixedClock(new DateTimeOffset(2025, 6, 15, 12, 0, 0, TimeSpan.Zero));
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync(o => o.Rules = new IssuerRules { TimeProvider = clock });
        await using IsoTestClient client = await simulator.ConnectAsync();

        await client.SendAsync(Requests.Authorisation(1, 100, expiry: "2505"));
        Assert.Equal("54", (await client.ReceiveMessageAsync(TestDialects.Ascii)).Text(39));
        await client.SendAsync(Requests.Authorisation(2, 100, expiry: "2506"));
        Assert.Equal("00", (await client.ReceiveMessageAsync(TestDialects.Ascii)).Text(39));
        await client.SendAsync(Requests.Authorisation(3, 100, expiry: "2513"));
        Assert.Equal("54", (await client.ReceiveMessageAsync(TestDialects.Ascii)).Text(39));
        await client.SendAsync(Requests.Authorisation(4, 100));
        Assert.Equal("00", (await client.ReceiveMessageAsync(TestDialects.Ascii)).Text(39));
    }

    [Fact]
    public async Task Expiry_check_can_be_switched_off()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync(o => o.Rules = new IssuerRules { CheckExpiry = false });
        await using IsoTestClient client = await simulator.ConnectAsync();
        await client.SendAsync(Requests.Authorisation(1, 100, expiry: "0001"));
        Assert.Equal("00", (await client.ReceiveMessageAsync(TestDialects.Ascii)).Text(39));
    }

    [Fact]
    public async Task A_card_number_that_is_too_short_or_missing_is_declined_with_14()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync();
        await using IsoTestClient client = await simulator.ConnectAsync();
        await client.SendAsync(Requests.Authorisation(1, 100, pan: "47617390010"));
        Assert.Equal("14", (await client.ReceiveMessageAsync(TestDialects.Ascii)).Text(39));
        await client.SendAsync(Requests.Authorisation(2, 100).Remove(2));
        Assert.Equal("14", (await client.ReceiveMessageAsync(TestDialects.Ascii)).Text(39));
        Assert.Equal(2, simulator.Ledger.DeclinedCount);
    }

    [Fact]
    public async Task An_unsupported_request_type_is_answered_with_12()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync();
        await using IsoTestClient client = await simulator.ConnectAsync();
        await client.SendAsync(Requests.Authorisation(1, 100, mti: 300));
        IsoMessage answer = await client.ReceiveMessageAsync(TestDialects.Ascii);
        Assert.Equal(310, answer.Mti);
        Assert.Equal("12", answer.Text(39));
        Assert.Equal("000001", answer.Text(11));
        Assert.Equal(1, simulator.Ledger.InvalidRequestCount);
        Assert.Equal(0, simulator.Ledger.ApprovedCount + simulator.Ledger.DeclinedCount);
    }

    [Fact]
    public async Task A_request_without_an_amount_or_stan_is_a_format_error()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync();
        await using IsoTestClient client = await simulator.ConnectAsync();
        await client.SendAsync(Requests.Authorisation(1, 100).Remove(4));
        Assert.Equal("30", (await client.ReceiveMessageAsync(TestDialects.Ascii)).Text(39));
        await client.SendAsync(Requests.Authorisation(2, 100).Remove(11));
        Assert.Equal("30", (await client.ReceiveMessageAsync(TestDialects.Ascii)).Text(39));
        Assert.Equal(0, simulator.Ledger.ApprovedCount);
        Assert.Equal(2, simulator.Ledger.InvalidRequestCount);
    }

    [Fact]
    public void Rules_decide_in_the_documented_order()
    {
        var rules = new IssuerRules { DeclineAboveAmountMinor = 10, DeclinePanSuffix = "99", TimeProvider = new FixedClock(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero)) };
        Assert.Equal(IssuerDecision.InvalidCardNumber, rules.Decide(100, "12345678901X99"u8, "2001"u8));
        Assert.Equal(IssuerDecision.ExpiredCard, rules.Decide(100, "4761739001010099"u8, "2912"u8));
        Assert.Equal(IssuerDecision.ExpiredCard, rules.Decide(1, "4761739001010011"u8, "3013"u8));
        Assert.Equal(IssuerDecision.DoNotHonour, rules.Decide(100, "4761739001010099"u8, "3001"u8));
        Assert.Equal(IssuerDecision.InsufficientFunds, rules.Decide(11, "4761739001010011"u8, default));
        Assert.Equal(IssuerDecision.Approved, rules.Decide(10, "4761739001010011"u8, default));
        Assert.Throws<ArgumentException>(() => new IssuerRules { DeclinePanSuffix = "12a" });
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
