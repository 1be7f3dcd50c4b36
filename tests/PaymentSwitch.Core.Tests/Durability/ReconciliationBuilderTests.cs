using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Core.Durability;
using PaymentSwitch.Core.Issuers;
using PaymentSwitch.Core.Reversals;
using PaymentSwitch.Iso8583;
using static PaymentSwitch.Core.Tests.Durability.DurabilityFixtures;

namespace PaymentSwitch.Core.Tests.Durability;

/// <summary>The reconciliation's arithmetic: approvals net of answered reversals, unknown outcomes never approved, owed reversals.</summary>
public sealed class ReconciliationBuilderTests : IDisposable
{
    private static readonly IssuerLink CardSim = Issuer("card-sim");
    private static readonly IssuerLink WalletSim = Issuer("wallet-sim");
    private static readonly long T0 = new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    private readonly PanProtector _protector = NewProtector();
    private readonly ReconciliationBuilder _builder = new();
    private long _sequence;
    private long _clock = T0;

    public void Dispose() => _protector.Dispose();

    private long Forward(long amount, IssuerLink? issuer = null, string acquirer = "111", int mti = Mti.AuthorisationRequest, string currency = "978",
        ReconciliationBuilder? into = null, bool sent = true)
    {
        long sequence = ++_sequence;
        byte[] payload = ForwardedPayload(Forwardable(issuer ?? CardSim, amount, (int)sequence, acquirer: acquirer, mti: mti, currency: currency,
            issuerStan: sent ? 42 : 0), _protector);
        Assert.True((into ?? _builder).Add(sequence, _clock += 1000, (byte)TransactionRecordType.Forwarded, payload));
        return sequence;
    }

    private void Outcome(long forwarded, TransactionOutcome outcome, string code, ReconciliationBuilder? into = null) =>
        Assert.True((into ?? _builder).Add(++_sequence, _clock += 10, (byte)TransactionRecordType.Outcome, OutcomePayload(forwarded, outcome, code)));

    private void AcquirerReversal(long forwarded, long amount, ReconciliationBuilder? into = null)
    {
        Assert.True(ForwardedRecord.TryRead(ForwardedPayload(Forwardable(CardSim, amount, (int)forwarded, acquirer: "111"), _protector), out ForwardedRecord? original));
        Assert.True((into ?? _builder).Add(++_sequence, _clock += 10, (byte)TransactionRecordType.ReversalRequested, ReversalRequestedRecord.Encode(forwarded, original!, ReversalReason.Acquirer)));
    }

    private void Completed(long forwarded, string code = "00", ReconciliationBuilder? into = null) =>
        Assert.True((into ?? _builder).Add(++_sequence, _clock += 10, (byte)TransactionRecordType.ReversalCompleted, ReversalCompletedPayload(forwarded, code)));

    private void AdviceAnswered(long forwarded) =>
        Assert.True(_builder.Add(++_sequence, _clock += 10, (byte)TransactionRecordType.AdviceCompleted, ReversalCompletedPayload(forwarded, "00")));

    private void AdviceReversal(long forwarded, long amount)
    {
        Assert.True(ForwardedRecord.TryRead(ForwardedPayload(Forwardable(CardSim, amount, (int)forwarded, acquirer: "111", issuerStan: 0), _protector), out ForwardedRecord? original));
        Assert.True(_builder.Add(++_sequence, _clock += 10, (byte)TransactionRecordType.AdviceReversalRequested, ReversalRequestedRecord.Encode(forwarded, original!, ReversalReason.Acquirer)));
    }

    private void AdviceReversalAnswered(long forwarded) =>
        Assert.True(_builder.Add(++_sequence, _clock += 10, (byte)TransactionRecordType.AdviceReversalCompleted, ReversalCompletedPayload(forwarded, "00")));

    [Fact]
    public void Approvals_are_net_of_answered_reversals_and_unknown_outcomes_are_never_approved()
    {
        long approved = Forward(1_000);
        Outcome(approved, TransactionOutcome.IssuerAnswered, "00");

        long reversed = Forward(2_000);
        Outcome(reversed, TransactionOutcome.IssuerAnswered, "00");
        AcquirerReversal(reversed, 2_000);
        Completed(reversed);

        long declined = Forward(4_000);
        Outcome(declined, TransactionOutcome.IssuerAnswered, "05");

        long timedOutSettled = Forward(8_000);
        Outcome(timedOutSettled, TransactionOutcome.TimedOut, "91");
        Completed(timedOutSettled, "25"); // the issuer never saw it

        long timedOutOwed = Forward(16_000);
        Outcome(timedOutOwed, TransactionOutcome.TimedOut, "91");

        long noOutcome = Forward(32_000);

        long reversalAsked = Forward(64_000);
        Outcome(reversalAsked, TransactionOutcome.IssuerAnswered, "00");
        AcquirerReversal(reversalAsked, 64_000);

        long wallet = Forward(128_000, WalletSim, acquirer: "222", mti: Mti.FinancialRequest, currency: "840");
        Outcome(wallet, TransactionOutcome.IssuerAnswered, "00");

        long switchDeclined = Forward(256_000);
        Outcome(switchDeclined, TransactionOutcome.DeclinedBySwitch, "91");

        ReconciliationReport report = _builder.Build();
        ReconciliationTotals t = report.Totals;

        Assert.Equal(9, t.ForwardedCount);
        Assert.Equal(511_000, t.ForwardedAmountMinor);
        Assert.Equal((4, 1_000 + 2_000 + 64_000 + 128_000L), (t.ApprovedCount, t.ApprovedAmountMinor));
        Assert.Equal((1, 2_000L), (t.ReversedCount, t.ReversedAmountMinor));
        Assert.Equal((3, 1_000 + 64_000 + 128_000L), (t.NetApprovedCount, t.NetApprovedAmountMinor));
        Assert.Equal((2, 4_000 + 256_000L), (t.DeclinedCount, t.DeclinedAmountMinor));
        Assert.Equal((2, 8_000 + 16_000L), (t.TimedOutCount, t.TimedOutAmountMinor));
        Assert.Equal((1, 32_000L), (t.NoOutcomeCount, t.NoOutcomeAmountMinor));
        Assert.Equal((3, 16_000 + 32_000 + 64_000L), (t.ReversalsOwedCount, t.ReversalsOwedAmountMinor));

        ReconciliationOwedSummary owed = report.ReversalsOwed;
        Assert.Equal(
            [(timedOutOwed, ReversalReason.Timeout), (noOutcome, ReversalReason.Recovery), (reversalAsked, ReversalReason.Acquirer)],
            owed.Items.Select(o => (o.ForwardedSequence, o.Reason)).ToArray());
        Assert.Equal((2, 48_000L), (owed.UnknownOutcomeCount, owed.UnknownOutcomeAmountMinor));
        Assert.Equal((1, 64_000L), (owed.AcquirerRequestedCount, owed.AcquirerRequestedAmountMinor));
        Assert.Equal(timedOutOwed, owed.Oldest!.ForwardedSequence);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(T0 + 5_070), owed.Oldest.OwedSinceUtc); // 5 forwards (+1000 each), 7 other records (+10 each)

        // The groups add up to the totals.
        Assert.Equal(["card-sim", "wallet-sim"], report.ByIssuer.Select(l => l.Key));
        Assert.Equal(128_000, report.ByIssuer[1].Totals.NetApprovedAmountMinor);
        Assert.Equal(["111", "222"], report.ByAcquirer.Select(l => l.Key));
        Assert.Equal(["0100", "0200"], report.ByMti.Select(l => l.Key));
        Assert.Equal(["840", "978"], report.ByCurrency.Select(l => l.Key));
        Assert.Equal(["00", "05", "91", "none"], report.ByResponseCode.Select(l => l.Key));
        Assert.Equal(4, report.ByResponseCode[0].Totals.ForwardedCount);
        Assert.Equal(3, report.ByResponseCode[2].Totals.ForwardedCount); // two timeouts and the switch's own 91
        foreach (IReadOnlyList<ReconciliationLine> group in new[] { report.ByIssuer, report.ByAcquirer, report.ByMti, report.ByCurrency, report.ByResponseCode })
        {
            Assert.Equal(t.NetApprovedAmountMinor, group.Sum(l => l.Totals.NetApprovedAmountMinor));
            Assert.Equal(t.ForwardedCount, group.Sum(l => l.Totals.ForwardedCount));
            Assert.Equal(t.ReversalsOwedAmountMinor, group.Sum(l => l.Totals.ReversalsOwedAmountMinor));
        }

        Assert.True(report.Anomalies.IsClean);
        Assert.Equal(new Dictionary<string, long> { ["00"] = 1, ["25"] = 1 }, report.Anomalies.ReversalAnswerCodes);
        Assert.Equal(_sequence, report.RecordsRead);
        Assert.Equal((1L, _sequence), (report.FirstSequence, report.LastSequence));
    }

    [Fact]
    public void Stand_in_approvals_count_as_approved_owe_an_advice_and_only_the_acquirers_reversal_undoes_them()
    {
        long atDispatch = Forward(10_000, sent: false);               // the issuer was unreachable: decided without sending
        Outcome(atDispatch, TransactionOutcome.StandIn, "00");
        long afterTimeout = Forward(20_000);                          // sent, no answer in time, then approved in stand-in
        Outcome(afterTimeout, TransactionOutcome.StandInAfterTimeout, "00");
        long declinedAfterTimeout = Forward(40_000);
        Outcome(declinedAfterTimeout, TransactionOutcome.StandInAfterTimeout, "91");
        long declinedAtDispatch = Forward(80_000, sent: false);
        Outcome(declinedAtDispatch, TransactionOutcome.StandIn, "91");
        long reversedByAcquirer = Forward(160_000, sent: false);
        Outcome(reversedByAcquirer, TransactionOutcome.StandIn, "00");

        ReconciliationReport owing = _builder.Build();
        Assert.Equal((3, 190_000L), (owing.Totals.StandInApprovedCount, owing.Totals.StandInApprovedAmountMinor));
        Assert.Equal((0, 0L), (owing.Totals.ApprovedCount, owing.Totals.ApprovedAmountMinor));
        Assert.Equal(190_000, owing.Totals.NetApprovedAmountMinor);
        Assert.Equal((1, 40_000L), (owing.Totals.TimedOutCount, owing.Totals.TimedOutAmountMinor));
        Assert.Equal((1, 80_000L), (owing.Totals.DeclinedCount, owing.Totals.DeclinedAmountMinor));
        Assert.Equal([(afterTimeout, ReversalReason.Timeout), (declinedAfterTimeout, ReversalReason.Timeout)],
            owing.ReversalsOwed.Items.Select(o => (o.ForwardedSequence, o.Reason)));
        Assert.Equal([atDispatch, afterTimeout, reversedByAcquirer], owing.AdvicesOwed.Items.Select(o => o.ForwardedSequence));
        Assert.All(owing.AdvicesOwed.Items, o => Assert.Equal(ReversalReason.StandIn, o.Reason));
        Assert.Equal(190_000, owing.IssuerNetMayBeLowerByMinor);
        Assert.Equal(60_000, owing.IssuerNetMayBeHigherByMinor);
        Assert.Equal(3, owing.Totals.AdvicesOwedCount);

        Completed(afterTimeout);                 // the switch's reversal of the request it sent: the stand-in approval stands
        Completed(declinedAfterTimeout);
        AdviceAnswered(atDispatch);
        AdviceAnswered(afterTimeout);
        AdviceAnswered(reversedByAcquirer);
        AdviceReversal(reversedByAcquirer, 160_000); // the acquirer reverses a stand-in approval: its advice is reversed
        ReconciliationReport reversing = _builder.Build();
        ReconciliationOwedReversal adviceReversal = Assert.Single(reversing.ReversalsOwed.Items);
        Assert.Equal((reversedByAcquirer, ReversalReason.Acquirer, true), (adviceReversal.ForwardedSequence, adviceReversal.Reason, adviceReversal.ReversesAdvice));
        Assert.Equal(190_000, reversing.Totals.NetApprovedAmountMinor); // both sides still count it until the issuer answers
        AdviceReversalAnswered(reversedByAcquirer);

        ReconciliationReport settled = _builder.Build();
        Assert.Equal(0, settled.ReversalsOwed.Count);
        Assert.Equal(0, settled.AdvicesOwed.Count);
        Assert.Equal((1, 160_000L), (settled.Totals.ReversedCount, settled.Totals.ReversedAmountMinor));
        Assert.Equal(30_000, settled.Totals.NetApprovedAmountMinor);
        Assert.Equal(new Dictionary<string, long> { ["00"] = 3 }, settled.Anomalies.AdviceAnswerCodes);
        Assert.Equal(new Dictionary<string, long> { ["00"] = 3 }, settled.Anomalies.ReversalAnswerCodes); // two of requests, one of an advice
        Assert.True(settled.Anomalies.IsClean);
    }

    [Fact]
    public void Once_the_owed_reversals_are_answered_nothing_is_owed_and_the_net_drops_by_the_reversed_approval()
    {
        Assert.Equal(0, _builder.Build().ReversalsOwed.Count); // an empty journal owes nothing
        Assert.Null(_builder.Build().ReversalsOwed.Oldest);

        long timedOut = Forward(500);
        Outcome(timedOut, TransactionOutcome.TimedOut, "91");
        long asked = Forward(700);
        Outcome(asked, TransactionOutcome.IssuerAnswered, "00");
        AcquirerReversal(asked, 700);
        ReconciliationReport owing = _builder.Build();
        Assert.Equal(2, owing.ReversalsOwed.Count);
        Assert.Equal(700, owing.Totals.NetApprovedAmountMinor); // the acquirer's reversal is not answered yet: still approved

        Completed(timedOut);
        Completed(asked);
        ReconciliationReport settled = _builder.Build();
        Assert.Equal(0, settled.ReversalsOwed.Count);
        Assert.Equal(0, settled.Totals.NetApprovedAmountMinor);
        Assert.Equal((1, 700L), (settled.Totals.ReversedCount, settled.Totals.ReversedAmountMinor));
        Assert.Equal(2, owing.ReversalsOwed.Count); // an earlier report does not change
    }

    [Fact]
    public void Duplicates_orphans_and_unreadable_records_are_reported_and_counted_once()
    {
        long approved = Forward(1_000);
        Outcome(approved, TransactionOutcome.IssuerAnswered, "00");
        Outcome(approved, TransactionOutcome.IssuerAnswered, "05"); // a second outcome: ignored
        Completed(approved);
        Completed(approved);                                         // a reversal completed twice: subtracted once
        Completed(approved);
        Outcome(10_000, TransactionOutcome.IssuerAnswered, "00");   // names a Forwarded record not in the journal
        Assert.False(_builder.Add(++_sequence, _clock, (byte)TransactionRecordType.Outcome, [1, 2, 3]));
        Assert.False(_builder.Add(++_sequence, _clock, 42, [1, 2, 3]));

        ReconciliationReport report = _builder.Build();
        Assert.Equal((1, 1_000L), (report.Totals.ReversedCount, report.Totals.ReversedAmountMinor));
        Assert.Equal(0, report.Totals.NetApprovedAmountMinor);
        ReconciliationAnomalies a = report.Anomalies;
        Assert.False(a.IsClean);
        Assert.Equal(1, a.DuplicateOutcomes);
        Assert.Equal(2, a.DuplicateReversalCompletions);
        Assert.Equal([approved], a.DuplicateReversalCompletionSequences);
        Assert.Equal(1, a.OrphanRecords);
        Assert.Equal(2, a.UnreadableRecords);
        Assert.Equal(1, a.UnknownTypeRecords);
    }

    [Fact]
    public void A_period_selects_transactions_by_forwarding_time_and_follows_them_to_the_last_record()
    {
        var builder = new ReconciliationBuilder(
            DateTimeOffset.FromUnixTimeMilliseconds(T0 + 2_000), DateTimeOffset.FromUnixTimeMilliseconds(T0 + 3_000));
        long before = Forward(1, into: builder);  // at T0 + 1000
        long inside = Forward(10, into: builder); // at T0 + 2000 (inclusive)
        long after = Forward(100, into: builder); // at T0 + 3000 (exclusive)
        Outcome(before, TransactionOutcome.IssuerAnswered, "00", builder);
        Outcome(inside, TransactionOutcome.IssuerAnswered, "00", builder);
        Outcome(after, TransactionOutcome.IssuerAnswered, "00", builder);
        _clock += 3_600_000;                      // the reversal comes an hour later, after the period
        Completed(inside, into: builder);
        Completed(before, into: builder);

        ReconciliationReport report = builder.Build();
        Assert.Equal((1, 10L), (report.Totals.ForwardedCount, report.Totals.ForwardedAmountMinor));
        Assert.Equal((1, 10L), (report.Totals.ReversedCount, report.Totals.ReversedAmountMinor));
        Assert.Equal(0, report.Totals.NetApprovedAmountMinor);
        Assert.Equal(0, report.Anomalies.OrphanRecords); // outside the period is not missing
        Assert.Equal(8, report.RecordsRead);
        Assert.Throws<ArgumentException>(() => new ReconciliationBuilder(DateTimeOffset.UnixEpoch.AddDays(1), DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public void A_reversal_request_whose_original_was_retired_is_still_owed_but_not_totalled()
    {
        _sequence = 5_000;
        AcquirerReversal(forwarded: 17, amount: 4_200); // Forwarded #17 is in a retired segment
        ReconciliationReport report = _builder.Build();
        Assert.Equal(0, report.Totals.ForwardedCount);
        ReconciliationOwedReversal owed = Assert.Single(report.ReversalsOwed.Items);
        Assert.Equal((17L, ReversalReason.Acquirer, 4_200L), (owed.ForwardedSequence, owed.Reason, owed.AmountMinor));
        Assert.Equal(1, report.Anomalies.OrphanRecords);

        Completed(17);
        Assert.Empty(_builder.Build().ReversalsOwed.Items);
    }
}
