using PaymentSwitch.Iso8583;
using PaymentSwitch.Simulators.Tests.Support;

namespace PaymentSwitch.Simulators.Tests;

public sealed class CardReversalTests
{
    private static async Task<IsoMessage> RoundTripAsync(IsoTestClient client, IsoMessageBuilder request)
    {
        await client.SendAsync(request);
        return await client.ReceiveMessageAsync(TestDialects.Ascii);
    }

    [Fact]
    public async Task A_reversal_finds_its_original_by_DE90_and_reverses_it_once()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync();
        await using IsoTestClient client = await simulator.ConnectAsync();
        Assert.Equal("00", (await RoundTripAsync(client, Requests.Authorisation(100, 2500))).Text(39));

        IsoMessageBuilder reversal = Requests.Reversal(stan: 101, amountMinor: 2500, originalStan: 100);
        IsoMessage answer = await RoundTripAsync(client, reversal);
        Assert.Equal(Mti.ReversalAdviceResponse, answer.Mti);
        Assert.Equal("00", answer.Text(39));
        Assert.Equal(System.Text.Encoding.ASCII.GetString(reversal.Get(90)), answer.Text(90));
        Assert.Equal("000101", answer.Text(11));

        IssuerLedgerSnapshot once = simulator.Ledger;
        Assert.Equal((1, 2500, 1, 2500, 0L), (once.ApprovedCount, once.ApprovedAmountMinor, once.ReversedCount, once.ReversedAmountMinor, once.NetApprovedAmountMinor));

        // The repeat (0421) and a 0400 for the same original are answered 00 and book nothing.
        IsoMessage repeat = await RoundTripAsync(client, Requests.Reversal(101, 2500, 100, mti: Mti.ReversalAdviceRepeat));
        Assert.Equal((Mti.ReversalAdviceResponse, "00"), (repeat.Mti, repeat.Text(39)));
        IsoMessage request = await RoundTripAsync(client, Requests.Reversal(102, 2500, 100, mti: Mti.ReversalRequest));
        Assert.Equal((Mti.ReversalResponse, "00"), (request.Mti, request.Text(39)));

        IssuerLedgerSnapshot after = simulator.Ledger;
        Assert.Equal((1, 2500, 2), (after.ReversedCount, after.ReversedAmountMinor, after.DuplicateReversalCount));
        Assert.Equal(0, after.NetApprovedAmountMinor);
    }

    [Fact]
    public async Task A_reversal_of_an_unknown_original_answers_25_and_the_late_original_is_declined()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync();
        await using IsoTestClient client = await simulator.ConnectAsync();

        IsoMessage reversal = await RoundTripAsync(client, Requests.Reversal(stan: 201, amountMinor: 700, originalStan: 200));
        Assert.Equal("25", reversal.Text(39));
        Assert.Equal(1, simulator.Ledger.UnknownReversalCount);

        IsoMessage late = await RoundTripAsync(client, Requests.Authorisation(200, 700));
        Assert.Equal("05", late.Text(39));
        Assert.False(late.Has(38));
        IsoMessage lateRepeat = await RoundTripAsync(client, Requests.Authorisation(200, 700, mti: Mti.AuthorisationRequestRepeat));
        Assert.Equal("05", lateRepeat.Text(39));

        // A second reversal of the same unknown original still answers 25.
        Assert.Equal("25", (await RoundTripAsync(client, Requests.Reversal(202, 700, 200, mti: Mti.ReversalAdviceRepeat))).Text(39));

        IssuerLedgerSnapshot ledger = simulator.Ledger;
        Assert.Equal(0, ledger.ApprovedCount);
        Assert.Equal(2, ledger.DeclinedAfterReversalCount);
        Assert.Equal(2, ledger.DeclinedCount);
        Assert.Equal(0, ledger.ReversedCount);
        Assert.Equal(0, ledger.NetApprovedAmountMinor);
    }

    [Fact]
    public async Task A_reversal_must_match_STAN_DE7_and_acquirer()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync();
        await using IsoTestClient client = await simulator.ConnectAsync();
        await RoundTripAsync(client, Requests.Authorisation(300, 900, de7: "0101120000", acquirer: "777"));

        Assert.Equal("25", (await RoundTripAsync(client, Requests.Reversal(1, 900, 300, originalDe7: "0101120000", originalAcquirer: "778"))).Text(39));
        Assert.Equal("25", (await RoundTripAsync(client, Requests.Reversal(2, 900, 300, originalDe7: "0101120001", originalAcquirer: "777"))).Text(39));
        Assert.Equal("25", (await RoundTripAsync(client, Requests.Reversal(3, 900, 301, originalDe7: "0101120000", originalAcquirer: "777"))).Text(39));
        Assert.Equal(900, simulator.Ledger.NetApprovedAmountMinor);

        Assert.Equal("00", (await RoundTripAsync(client, Requests.Reversal(4, 900, 300, originalDe7: "0101120000", originalAcquirer: "777"))).Text(39));
        Assert.Equal(0, simulator.Ledger.NetApprovedAmountMinor);
    }

    [Fact]
    public async Task A_reversal_without_DE90_is_a_format_error_and_books_nothing()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync();
        await using IsoTestClient client = await simulator.ConnectAsync();
        await RoundTripAsync(client, Requests.Authorisation(400, 100));
        Assert.Equal("30", (await RoundTripAsync(client, Requests.Reversal(401, 100, 400, withDe90: false))).Text(39));
        Assert.Equal(100, simulator.Ledger.NetApprovedAmountMinor);
    }

    [Fact]
    public async Task Reversing_a_declined_original_answers_25()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync(o => o.Rules = new IssuerRules { DeclineAboveAmountMinor = 10 });
        await using IsoTestClient client = await simulator.ConnectAsync();
        Assert.Equal("51", (await RoundTripAsync(client, Requests.Authorisation(500, 11))).Text(39));
        Assert.Equal("25", (await RoundTripAsync(client, Requests.Reversal(501, 11, 500))).Text(39));
        Assert.Equal(0, simulator.Ledger.ReversedCount);
    }

    [Fact]
    public async Task A_repeated_authorisation_is_answered_alike_and_booked_once()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync();
        await using IsoTestClient client = await simulator.ConnectAsync();
        IsoMessage first = await RoundTripAsync(client, Requests.Authorisation(600, 450));
        IsoMessage repeat = await RoundTripAsync(client, Requests.Authorisation(600, 450, mti: Mti.AuthorisationRequestRepeat));
        Assert.Equal(Mti.AuthorisationResponse, repeat.Mti);
        Assert.Equal("00", repeat.Text(39));
        Assert.Equal(first.Text(38), repeat.Text(38));
        Assert.Equal((1, 450, 1), (simulator.Ledger.ApprovedCount, simulator.Ledger.ApprovedAmountMinor, simulator.Ledger.DuplicateRequestCount));
    }

    [Fact]
    public async Task An_advice_is_booked_once_and_can_be_reversed()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync(o => o.Rules = new IssuerRules { DeclineAboveAmountMinor = 1 });
        await using IsoTestClient client = await simulator.ConnectAsync();

        // Advices are booked whatever the rules say: the switch already approved them on the issuer's behalf.
        IsoMessage answer = await RoundTripAsync(client, Requests.Advice(700, 3300, approvalCode: "S00042"));
        Assert.Equal(Mti.AuthorisationAdviceResponse, answer.Mti);
        Assert.Equal("00", answer.Text(39));
        Assert.Equal("S00042", answer.Text(38));
        Assert.Equal("000000003300", answer.Text(4));

        IsoMessage repeat = await RoundTripAsync(client, Requests.Advice(700, 3300, approvalCode: "S00042", mti: Mti.AuthorisationAdviceRepeat));
        Assert.Equal((Mti.AuthorisationAdviceResponse, "00"), (repeat.Mti, repeat.Text(39)));
        IssuerLedgerSnapshot booked = simulator.Ledger;
        Assert.Equal((1, 3300, 0, 3300L), (booked.AdviceCount, booked.AdviceAmountMinor, booked.ApprovedCount, booked.NetApprovedAmountMinor));
        Assert.Equal(1, booked.DuplicateRequestCount);

        Assert.Equal("00", (await RoundTripAsync(client, Requests.Reversal(701, 3300, 700, originalMti: Mti.AuthorisationAdvice))).Text(39));
        Assert.Equal((1, 3300, 0L), (simulator.Ledger.ReversedCount, simulator.Ledger.ReversedAmountMinor, simulator.Ledger.NetApprovedAmountMinor));
    }

    [Fact]
    public async Task An_advice_arriving_after_its_reversal_is_not_booked()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync();
        await using IsoTestClient client = await simulator.ConnectAsync();
        Assert.Equal("25", (await RoundTripAsync(client, Requests.Reversal(801, 50, 800))).Text(39));
        Assert.Equal("05", (await RoundTripAsync(client, Requests.Advice(800, 50))).Text(39));
        Assert.Equal((0, 0L), (simulator.Ledger.AdviceCount, simulator.Ledger.NetApprovedAmountMinor));
    }

    [Fact]
    public async Task The_approval_index_is_bounded_and_evicts_the_oldest()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync(o => o.ApprovalIndexMaxEntries = 64);
        await using IsoTestClient client = await simulator.ConnectAsync();
        await client.SendManyAsync(Enumerable.Range(1, 100).Select(stan => Requests.Authorisation(stan, 10)));
        for (int i = 0; i < 100; i++) Assert.Equal("00", (await client.ReceiveMessageAsync(TestDialects.Ascii)).Text(39));

        IssuerLedgerSnapshot ledger = simulator.Ledger;
        Assert.Equal(64, ledger.IndexEntries);
        Assert.Equal(36, ledger.IndexEvictions);

        // The oldest was forgotten (its reversal cannot find it); the newest is still there.
        Assert.Equal("25", (await RoundTripAsync(client, Requests.Reversal(1001, 10, originalStan: 1))).Text(39));
        Assert.Equal("00", (await RoundTripAsync(client, Requests.Reversal(1002, 10, originalStan: 100))).Text(39));
    }
}
