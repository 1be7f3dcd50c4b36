using System.Text;
using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Core.Durability;
using PaymentSwitch.Core.Issuers;
using PaymentSwitch.Core.Reversals;
using PaymentSwitch.Iso8583;
using PaymentSwitch.Journal;
using static PaymentSwitch.Core.Tests.Durability.DurabilityFixtures;

namespace PaymentSwitch.Core.Tests.Durability;

/// <summary>
/// Money-safety rule 4: what a restart owes, worked out from a real journal written through <see cref="TransactionJournal"/>
/// and replayed by <see cref="WriteAheadJournal.Open"/>. The reconciliation must owe exactly the same reversals.
/// </summary>
public sealed class TransactionReplayTests : IDisposable
{
    private static readonly IssuerLink CardSim = Issuer("card-sim");
    private readonly TempJournalDirectory _dir = new();
    private readonly PanProtector _protector = NewProtector();

    public void Dispose()
    {
        _protector.Dispose();
        _dir.Dispose();
    }

    /// <summary>How a scenario's transaction ends before the "crash".</summary>
    private sealed record Scenario(string Name, int AcquirerStan, long Amount, int Mti = Mti.AuthorisationRequest, TransactionOutcome? Outcome = null,
        string Code = "00", bool AcquirerReversal = false, bool ReversalCompleted = false, bool Sent = true, bool AdviceCompleted = false,
        bool AdviceReversal = false, bool AdviceReversalCompleted = false, bool UndeliveredApproval = false);

    private static readonly Scenario[] Scenarios =
    [
        new("no outcome", 1, 100),
        new("timed out", 2, 200, Outcome: TransactionOutcome.TimedOut, Code: "91"),
        new("timed out, reversal completed", 3, 400, Outcome: TransactionOutcome.TimedOut, Code: "91", ReversalCompleted: true),
        new("approved", 4, 800, Outcome: TransactionOutcome.IssuerAnswered),
        new("approved, acquirer reversal", 5, 1600, Outcome: TransactionOutcome.IssuerAnswered, AcquirerReversal: true),
        new("approved, acquirer reversal completed", 6, 3200, Outcome: TransactionOutcome.IssuerAnswered, AcquirerReversal: true, ReversalCompleted: true),
        new("declined by issuer", 7, 6400, Outcome: TransactionOutcome.IssuerAnswered, Code: "05"),
        new("declined by switch", 8, 12800, Outcome: TransactionOutcome.DeclinedBySwitch, Code: "91"),
        new("no outcome, recovery reversal completed", 9, 25600, ReversalCompleted: true),
        new("advice without outcome (not reversible)", 10, 51200, Mti: Mti.AuthorisationAdvice),
        new("financial request timed out", 11, 102400, Mti: Mti.FinancialRequest, Outcome: TransactionOutcome.TimedOut, Code: "91"),
        new("stand-in approved, never sent", 12, 204800, Outcome: TransactionOutcome.StandIn, Sent: false),
        new("stand-in declined, never sent", 13, 409600, Outcome: TransactionOutcome.StandIn, Code: "91", Sent: false),
        new("stand-in approved after a timeout", 14, 819200, Outcome: TransactionOutcome.StandInAfterTimeout),
        new("stand-in approved, advice answered", 15, 1638400, Outcome: TransactionOutcome.StandIn, Sent: false, AdviceCompleted: true),
        new("stand-in decided, crash before its outcome", 16, 3276800, Sent: false),
        new("stand-in approved, acquirer reversed it", 17, 6553600, Outcome: TransactionOutcome.StandIn, Sent: false, AdviceCompleted: true, AdviceReversal: true),
        new("stand-in approved, reversal of its advice answered", 18, 13107200, Outcome: TransactionOutcome.StandIn, Sent: false, AdviceCompleted: true,
            AdviceReversal: true, AdviceReversalCompleted: true),
        new("approved, acquirer gone before the answer", 19, 26214400, Outcome: TransactionOutcome.IssuerAnswered, UndeliveredApproval: true),
    ];

    private async Task<Dictionary<string, long>> WriteScenariosAsync()
    {
        var sequences = new Dictionary<string, long>();
        await using var journal = new TransactionJournal(WriteAheadJournal.Open(JournalOptions(_dir.Path), null, out _), _protector);
        foreach (Scenario s in Scenarios)
        {
            Transaction t = Forwardable(CardSim, s.Amount, s.AcquirerStan, mti: s.Mti, issuerStan: s.Sent ? 100 + s.AcquirerStan : 0);
            long forwarded = await journal.RecordForwardedAsync(t);
            sequences[s.Name] = forwarded;
            t.ForwardedSequence = forwarded;
            if (s.Outcome is TransactionOutcome outcome)
            {
                t.Outcome = outcome;
                t.ResponseCode = Code(s.Code);
                if (s.Code == "00") t.SetApprovalCode(outcome == TransactionOutcome.IssuerAnswered ? "AB12CD"u8 : "S00042"u8);
                await journal.RecordOutcomeAsync(t);
            }
            if (s.AcquirerReversal || s.UndeliveredApproval)
            {
                Assert.True(ForwardedRecord.TryRead(ForwardedPayload(t, _protector), out ForwardedRecord? original));
                await journal.RecordReversalRequestedAsync(forwarded, original!, s.UndeliveredApproval ? ReversalReason.UndeliveredApproval : ReversalReason.Acquirer);
            }
            if (s.ReversalCompleted) await journal.RecordReversalCompletedAsync(forwarded, Code("00"));
            if (s.AdviceCompleted) await journal.RecordAdviceCompletedAsync(forwarded, Code("00"));
            if (s.AdviceReversal)
            {
                // Appended as the switch writes them (record types 6 and 7), through the journal itself.
                Assert.True(ForwardedRecord.TryRead(ForwardedPayload(t, _protector), out ForwardedRecord? advised));
                await journal.Journal.AppendAsync((byte)TransactionRecordType.AdviceReversalRequested, ReversalRequestedRecord.Encode(forwarded, advised!, ReversalReason.Acquirer));
            }
            if (s.AdviceReversalCompleted)
                await journal.Journal.AppendAsync((byte)TransactionRecordType.AdviceReversalCompleted, ReversalCompletedPayload(forwarded, "00"));
        }
        return sequences;
    }

    [Fact]
    public async Task Replay_owes_recovery_timeout_and_acquirer_reversals_and_stand_in_advices_and_nothing_else()
    {
        Dictionary<string, long> seq = await WriteScenariosAsync();

        var replay = new TransactionReplay(_ => null);
        await using (WriteAheadJournal reopened = WriteAheadJournal.Open(JournalOptions(_dir.Path), replay, out RecoveryReport report))
            Assert.True(report.IsClean, report.ToString());

        IReadOnlyList<PendingReversal> owed = replay.OwedReversals();
        Assert.Equal(
            new[]
            {
                (seq["no outcome"], ReversalReason.Recovery),
                (seq["timed out"], ReversalReason.Timeout),
                (seq["approved, acquirer reversal"], ReversalReason.Acquirer),
                (seq["financial request timed out"], ReversalReason.Timeout),
                (seq["stand-in approved, never sent"], ReversalReason.StandIn),
                (seq["stand-in approved after a timeout"], ReversalReason.Timeout), // the request it had sent
                (seq["stand-in approved after a timeout"], ReversalReason.StandIn), // and the advice of its stand-in approval
                (seq["stand-in approved, acquirer reversed it"], ReversalReason.Acquirer), // the reversal of the advice
                (seq["approved, acquirer gone before the answer"], ReversalReason.UndeliveredApproval),
            }.Order(),
            owed.Select(r => (r.ForwardedSequence, r.Reason)).Order());
        Assert.All(owed.Where(r => r.Reason == ReversalReason.StandIn), r => Assert.Equal("S00042", r.StandInApprovalCode));
        Assert.Equal(Scenarios.Length, replay.Forwarded);
        Assert.Equal(0, replay.UnreadableRecords);

        // Each owed reversal carries what the 0420 needs, the card number decryptable with the journal's key.
        PendingReversal timedOut = owed.Single(r => r.ForwardedSequence == seq["timed out"]);
        Assert.Equal(200, timedOut.Original.Amount);
        Assert.Equal("card-sim", timedOut.Original.IssuerId);
        Assert.Equal(102, timedOut.Original.IssuerStan);
        Assert.Equal(2, timedOut.Original.AcquirerStan);
        byte[] pan = new byte[PanProtector.MaxPanDigits];
        Assert.True(_protector.TryUnprotect(timedOut.Original.EncryptedPan, pan, out int panLength));
        Assert.Equal(Pan, Encoding.ASCII.GetString(pan, 0, panLength));

        // The recent index is rebuilt with each transaction's last known state, so acquirer reversals still match.
        Dictionary<long, RecentState> states = replay.Recent.ToDictionary(r => r.ForwardedSequence, r => r.State);
        Assert.Equal(RecentState.InFlight, states[seq["no outcome"]]);
        Assert.Equal(RecentState.TimedOut, states[seq["timed out"]]);
        Assert.Equal(RecentState.Approved, states[seq["approved"]]);
        Assert.Equal(RecentState.Declined, states[seq["declined by issuer"]]);
        TransactionKey approvedKey = replay.Recent.Single(r => r.ForwardedSequence == seq["approved"]).Key;
        Assert.Equal((12345L, 4, 601123000L), (approvedKey.Acquirer, approvedKey.Stan, approvedKey.TransmissionTime));
    }

    [Fact]
    public async Task Reconciliation_owes_exactly_what_replay_owes()
    {
        await WriteScenariosAsync();
        var replay = new TransactionReplay(_ => null);
        var reconciliation = new ReconciliationBuilder();
        await using (WriteAheadJournal reopened = WriteAheadJournal.Open(JournalOptions(_dir.Path), replay, out _))
        {
            JournalScanner.Scan(_dir.Path, reconciliation); // read-only, beside the open journal
        }
        ReconciliationReport report = reconciliation.Build();

        Assert.Equal(
            replay.OwedReversals().Select(r => (r.ForwardedSequence, r.Reason)).Order(),
            report.ReversalsOwed.Items.Concat(report.AdvicesOwed.Items).Select(r => (r.ForwardedSequence, r.Reason)).Order());
        Assert.Equal(100 + 200 + 1600 + 102400 + 819200 + 6553600 + 26214400, report.ReversalsOwed.AmountMinor);
        Assert.True(report.ReversalsOwed.Items.Single(r => r.AmountMinor == 6553600).ReversesAdvice);
        Assert.Equal(100 + 200 + 102400 + 819200, report.ReversalsOwed.UnknownOutcomeAmountMinor);
        Assert.Equal(1600 + 6553600, report.ReversalsOwed.AcquirerRequestedAmountMinor);
        Assert.Equal((1, 26214400L), (report.ReversalsOwed.UndeliveredApprovalCount, report.ReversalsOwed.UndeliveredApprovalAmountMinor));
        Assert.Equal(204800 + 819200, report.AdvicesOwed.StandInAdviceAmountMinor);
        Assert.Equal(report.ReversalsOwed.UnknownOutcomeAmountMinor, report.IssuerNetMayBeHigherByMinor);
        Assert.Equal(report.AdvicesOwed.AmountMinor, report.IssuerNetMayBeLowerByMinor);
        Assert.All(report.ReversalsOwed.Items, r => Assert.Equal("476173******0010", r.MaskedPan));
    }

    [Fact]
    public async Task Lost_and_undeliverable_answers_owe_a_reversal_and_one_whose_original_is_gone_is_counted()
    {
        long lost, undeliverable;
        await using (var journal = new TransactionJournal(WriteAheadJournal.Open(JournalOptions(_dir.Path), null, out _), _protector))
        {
            Transaction a = Forwardable(CardSim, 700, 31, issuerStan: 131);
            a.ForwardedSequence = lost = await journal.RecordForwardedAsync(a);
            a.Outcome = TransactionOutcome.AnswerLost;
            a.ResponseCode = Code("91");
            await journal.RecordOutcomeAsync(a);

            Transaction b = Forwardable(CardSim, 900, 32, issuerStan: 132);
            b.ForwardedSequence = undeliverable = await journal.RecordForwardedAsync(b);
            b.Outcome = TransactionOutcome.AnswerUndeliverable;
            b.ResponseCode = Code("96");
            await journal.RecordOutcomeAsync(b);

            // A timeout whose Forwarded record is no longer in the journal (as if its segment had been retired).
            Transaction c = Forwardable(CardSim, 1100, 33, issuerStan: 133);
            c.ForwardedSequence = 999_999;
            c.Outcome = TransactionOutcome.TimedOut;
            c.ResponseCode = Code("91");
            await journal.RecordOutcomeAsync(c);
        }

        var replay = new TransactionReplay(_ => null);
        await using (WriteAheadJournal reopened = WriteAheadJournal.Open(JournalOptions(_dir.Path), replay, out _)) { }
        Assert.Equal([(lost, ReversalReason.Timeout), (undeliverable, ReversalReason.Timeout)],
            replay.OwedReversals().Select(r => (r.ForwardedSequence, r.Reason)).Order());
        Assert.Equal(1, replay.OwedWithoutOriginal);

        var reconciliation = new ReconciliationBuilder();
        JournalScanner.Scan(_dir.Path, reconciliation);
        ReconciliationReport report = reconciliation.Build();
        Assert.Equal(700 + 900, report.ReversalsOwed.UnknownOutcomeAmountMinor);
    }

    [Fact]
    public async Task Replay_from_the_persisted_retain_point_owes_exactly_what_a_full_replay_owes()
    {
        // Before the retain point: finished transactions, and one that timed out whose Forwarded record lies before it
        // while its outcome and its answered reversal lie after it.
        long retainPoint, timedOut;
        await using (var journal = new TransactionJournal(WriteAheadJournal.Open(JournalOptions(_dir.Path), null, out _), _protector))
        {
            for (int i = 0; i < 20; i++)
            {
                Transaction done = Forwardable(CardSim, 100 + i, 40 + i, issuerStan: 140 + i);
                done.ForwardedSequence = await journal.RecordForwardedAsync(done);
                done.Outcome = TransactionOutcome.IssuerAnswered;
                done.ResponseCode = Code(i % 2 == 0 ? "00" : "05");
                await journal.RecordOutcomeAsync(done);
            }
            // An issuer used only before the retain point: its numbering must still continue after a restart.
            Transaction elsewhere = Forwardable(Issuer("issuer-b"), 3_000, 69, issuerStan: 777);
            elsewhere.ForwardedSequence = await journal.RecordForwardedAsync(elsewhere);
            elsewhere.Outcome = TransactionOutcome.IssuerAnswered;
            elsewhere.ResponseCode = Code("00");
            await journal.RecordOutcomeAsync(elsewhere);
            Transaction late = Forwardable(CardSim, 4_000, 70, issuerStan: 170);
            late.ForwardedSequence = timedOut = await journal.RecordForwardedAsync(late);
            retainPoint = journal.NextSequence;
            late.Outcome = TransactionOutcome.TimedOut;
            late.ResponseCode = Code("91");
            await journal.RecordOutcomeAsync(late);
            await journal.RecordReversalCompletedAsync(timedOut, Code("00"));
        }
        Dictionary<string, long> seq = await WriteScenariosAsync();
        Assert.True(seq.Values.Min() > retainPoint);

        var full = new TransactionReplay(_ => null);
        await using (WriteAheadJournal reopened = WriteAheadJournal.Open(JournalOptions(_dir.Path), full, out RecoveryReport report))
        {
            Assert.Equal(0, report.ReplayedFromSequence);
            reopened.SetRetainFrom(retainPoint); // kept in the directory by the maintenance pass (once a second)
            await Eventually(() => File.Exists(Path.Combine(_dir.Path, "replay-from.checkpoint")));
        }

        var fromRetainPoint = new TransactionReplay(_ => null);
        await using (WriteAheadJournal reopened = WriteAheadJournal.Open(JournalOptions(_dir.Path), fromRetainPoint, out RecoveryReport report))
            Assert.Equal(retainPoint, report.ReplayedFromSequence);

        Assert.True(fromRetainPoint.Records < full.Records, $"{fromRetainPoint.Records} records replayed from the retain point, {full.Records} in all");
        Assert.Equal(
            full.OwedReversals().Select(r => (r.ForwardedSequence, r.Reason, r.IsAdvice, r.ReversesAdvice)).Order(),
            fromRetainPoint.OwedReversals().Select(r => (r.ForwardedSequence, r.Reason, r.IsAdvice, r.ReversesAdvice)).Order());
        Assert.NotEmpty(full.OwedReversals());
        Assert.Equal(0, full.OwedWithoutOriginal);
        Assert.Equal(0, fromRetainPoint.OwedWithoutOriginal); // the timed-out one before it was answered
        Assert.Equal(777, fromRetainPoint.LastIssuerStan["issuer-b"]);
        Assert.Equal(full.LastIssuerStan.OrderBy(p => p.Key), fromRetainPoint.LastIssuerStan.OrderBy(p => p.Key));
        Assert.Equal(
            full.Recent.Where(r => r.ForwardedSequence >= retainPoint).Select(r => (r.ForwardedSequence, r.State)),
            fromRetainPoint.Recent.Select(r => (r.ForwardedSequence, r.State)));
    }

    private static async Task Eventually(Func<bool> condition)
    {
        for (int i = 0; i < 500 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition(), "the condition did not become true within 5 s");
    }

    [Fact]
    public async Task Unreadable_payloads_are_counted_not_thrown()
    {
        await using (WriteAheadJournal journal = WriteAheadJournal.Open(JournalOptions(_dir.Path), null, out _))
        {
            await journal.AppendAsync((byte)TransactionRecordType.Forwarded, new byte[] { ForwardedRecord.Version, 1, 0 });
            await journal.AppendAsync((byte)TransactionRecordType.Outcome, new byte[] { 9 });
            await journal.AppendAsync((byte)TransactionRecordType.ReversalRequested, new byte[] { ReversalRequestedRecord.Version, 1, 2 });
            await journal.AppendAsync((byte)TransactionRecordType.ReversalCompleted, Array.Empty<byte>());
            await journal.AppendAsync(99, new byte[] { 1, 2, 3 });
        }

        var replay = new TransactionReplay(_ => null);
        await using (WriteAheadJournal reopened = WriteAheadJournal.Open(JournalOptions(_dir.Path), replay, out _)) { }
        Assert.Equal(5, replay.Records);
        Assert.Equal(5, replay.UnreadableRecords);
        Assert.Empty(replay.OwedReversals());
    }

    [Fact]
    public async Task No_segment_byte_holds_the_card_number_track_data_or_pin_block_in_clear()
    {
        await WriteScenariosAsync();
        byte[] pan = Encoding.ASCII.GetBytes(Pan);
        byte[] hidden = Encoding.ASCII.GetBytes(Pan[6..12]);
        byte[] track = Encoding.ASCII.GetBytes(Track2);
        int segments = 0;
        foreach (string file in Directory.GetFiles(_dir.Path, "*.wal"))
        {
            segments++;
            byte[] bytes = await File.ReadAllBytesAsync(file);
            Assert.Equal(-1, bytes.AsSpan().IndexOf(pan));
            Assert.Equal(-1, bytes.AsSpan().IndexOf(hidden));
            Assert.Equal(-1, bytes.AsSpan().IndexOf(track));
            Assert.Equal(-1, bytes.AsSpan().IndexOf(PinBlock));
            Assert.NotEqual(-1, bytes.AsSpan().IndexOf("476173******0010"u8));
        }
        Assert.Equal(1, segments);
    }
}
