using PaymentSwitch.Core.Durability;
using PaymentSwitch.Core.Reversals;
using PaymentSwitch.Integration.Tests.Support;
using PaymentSwitch.Iso8583;
using PaymentSwitch.Journal;
using PaymentSwitch.Simulators;
using static PaymentSwitch.Integration.Tests.Support.Requests;

namespace PaymentSwitch.Integration.Tests;

/// <summary>Money-safety rule 3 over real sockets: unknown outcomes are reversed at the issuer; acquirer reversals go once.</summary>
public class ReversalTests
{
    [Fact]
    public async Task A_late_approval_after_the_timeout_is_reversed_at_the_issuer()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync(overrides: ["--Issuers:0:TimeoutMs=300"]);
        sw.Card.SetFault(FaultMode.Late(800)); // the issuer books the approval but answers after the switch gave up
        await using TestTerminal terminal = await sw.ConnectAsync();
        Authorisation(terminal.Builder, CardPan, 4200, stan: 1);
        await terminal.SendAsync();
        Assert.Equal("91", Text((await terminal.ReceiveAsync())!, 39));
        sw.Card.SetFault(FaultMode.None);

        await Eventually.TrueAsync(() => sw.Card.Ledger.ReversedCount == 1 && sw.Runtime.Engine!.Reversals.Count == 0, "reversal answered");
        Assert.Equal(1, sw.Card.Ledger.ApprovedCount);
        Assert.Equal(4200, sw.Card.Ledger.ReversedAmountMinor);
        Assert.Equal(0, sw.Card.Ledger.NetApprovedAmountMinor);
        // A first 0420 answered too late is retried as 0421: the issuer may see it twice but books it once (above).
    }

    [Fact]
    public async Task Acquirer_reversal_is_matched_forwarded_once_and_repeats_are_answered_idempotently()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync();
        await using TestTerminal terminal = await sw.ConnectAsync();
        Authorisation(terminal.Builder, CardPan, 3100, stan: 501);
        string de7 = Text(BuiltMessage(terminal.Builder), 7);
        await terminal.SendAsync();
        Assert.Equal("00", Text((await terminal.ReceiveAsync())!, 39));

        foreach (int mti in new[] { Mti.ReversalAdvice, Mti.ReversalAdviceRepeat, Mti.ReversalAdvice })
        {
            Authorisation(terminal.Builder, CardPan, 3100, stan: 502, mti: mti);
            terminal.Builder.SetString(90, $"0100000501{de7}{"12345".PadLeft(11, '0')}{new string('0', 11)}");
            await terminal.SendAsync();
            IsoMessage reply = (await terminal.ReceiveAsync())!;
            Assert.Equal(Mti.ReversalAdviceResponse, reply.Mti);
            Assert.Equal("00", Text(reply, 39));
        }
        await Eventually.TrueAsync(() => sw.Card.Ledger.ReversedCount == 1 && sw.Runtime.Engine!.Reversals.Count == 0, "reversal answered");
        await Task.Delay(300);
        Assert.Equal(1, sw.Card.Ledger.ReversedCount);          // forwarded once
        Assert.Equal(0, sw.Card.Ledger.DuplicateReversalCount);
        Assert.Equal(0, sw.Card.Ledger.NetApprovedAmountMinor);

        Authorisation(terminal.Builder, CardPan, 3100, stan: 503, mti: Mti.ReversalAdvice);
        terminal.Builder.SetString(90, $"0100999999{de7}{"12345".PadLeft(11, '0')}{new string('0', 11)}");
        await terminal.SendAsync();
        Assert.Equal("25", Text((await terminal.ReceiveAsync())!, 39)); // no such original
    }

    [Fact]
    public async Task An_acquirer_reversal_that_overtakes_its_original_before_it_is_forwarded_is_answered_91_and_its_repeat_reverses_it()
    {
        HeldForwardedJournal? journal = null;
        await using RunningSwitch sw = await RunningSwitch.StartAsync(interposeJournal: inner => journal = new HeldForwardedJournal(inner));
        await using TestTerminal terminal = await sw.ConnectAsync();
        journal!.Hold(); // the original's Forwarded record waits, as behind a slow disk

        Authorisation(terminal.Builder, CardPan, 2700, stan: 601);
        string de7 = Text(BuiltMessage(terminal.Builder), 7);
        await terminal.SendAsync();
        await Eventually.TrueAsync(() => journal.Held == 1, "original waiting for its Forwarded record");

        // The terminal gives up on it and reverses: the switch cannot name it to the issuer yet (no issuer STAN).
        string de90 = $"0100000601{de7}{"12345".PadLeft(11, '0')}{new string('0', 11)}";
        Authorisation(terminal.Builder, CardPan, 2700, stan: 602, mti: Mti.ReversalAdvice);
        terminal.Builder.SetString(90, de90);
        await terminal.SendAsync();
        IsoMessage early = (await terminal.ReceiveAsync())!;
        Assert.Equal(Mti.ReversalAdviceResponse, early.Mti);
        Assert.Equal("91", Text(early, 39)); // repeat it later
        Assert.Equal(0, sw.Runtime.Engine!.Reversals.Count); // nothing queued under an unknown STAN

        journal.Release();
        IsoMessage original = (await terminal.ReceiveAsync())!;
        Assert.Equal("00", Text(original, 39));
        Assert.Equal(1, sw.Card.Ledger.ApprovedCount);

        Authorisation(terminal.Builder, CardPan, 2700, stan: 603, mti: Mti.ReversalAdviceRepeat);
        terminal.Builder.SetString(90, de90);
        await terminal.SendAsync();
        Assert.Equal("00", Text((await terminal.ReceiveAsync())!, 39));
        await Eventually.TrueAsync(() => sw.Card.Ledger.ReversedCount == 1 && sw.Runtime.Engine!.Reversals.Count == 0, "reversal answered");
        Assert.Equal(0, sw.Card.Ledger.NetApprovedAmountMinor);
    }

    [Fact]
    public async Task The_journal_keeps_the_records_of_requests_still_in_flight()
    {
        // Retention once kept only what owed reversals needed: with none owed it moved to the journal's head, past a
        // request still waiting for its issuer, whose reversal (after the timeout) then named a record that may be gone.
        await using RunningSwitch sw = await RunningSwitch.StartAsync(overrides: ["--Issuers:0:TimeoutMs=5000"]);
        sw.Card.SetFault(FaultMode.Silent);
        var journal = (TransactionJournal)sw.Runtime.Journal!;
        long before = journal.NextSequence;
        await using TestTerminal terminal = await sw.ConnectAsync();
        Authorisation(terminal.Builder, CardPan, 1800, stan: 701);
        await terminal.SendAsync();
        await Eventually.TrueAsync(() => sw.Runtime.Engine!.InFlight == 1 && journal.NextSequence > before, "forwarded and waiting");
        await Task.Delay(2500); // two retention passes of the engine's timer
        Assert.True(journal.Journal.RetainedFrom <= before, $"retained from {journal.Journal.RetainedFrom}, the in-flight request's record is at {before} or later");
    }

    [Fact]
    public async Task An_approval_whose_terminal_connection_closed_before_it_came_is_reversed()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync(card: o => o.LatencyMs = 500);
        TestTerminal terminal = await sw.ConnectAsync();
        Authorisation(terminal.Builder, CardPan, 5100, stan: 801);
        await terminal.SendAsync();
        await Eventually.TrueAsync(() => sw.Runtime.Engine!.InFlight == 1, "at the issuer");
        await terminal.DisposeAsync(); // the terminal gives up; the issuer still approves

        await Eventually.TrueAsync(() => sw.Card.Ledger.ApprovedCount == 1 && sw.Card.Ledger.ReversedCount == 1 && sw.Runtime.Engine!.Reversals.Count == 0,
            "the undelivered approval reversed");
        Assert.Equal(0, sw.Card.Ledger.NetApprovedAmountMinor);
        Assert.Contains("can no longer receive the answer", sw.Logs.All);
        Assert.DoesNotContain("4761739001010010", sw.Logs.All); // masked in that log line too

        // The journal says who asked for the reversal, so that replay and reconciliation report it as what it is.
        var requests = new ReversalRequests();
        JournalScanner.Scan(((TransactionJournal)sw.Runtime.Journal!).Journal.Directory, requests);
        Assert.Equal([ReversalReason.UndeliveredApproval], requests.Reasons);

        // A repeat of it now is not told "approved" for money that is being given back.
        await using TestTerminal again = await sw.ConnectAsync();
        Authorisation(again.Builder, CardPan, 5100, stan: 801, mti: Mti.AuthorisationRequestRepeat);
        again.Builder.SetString(7, Text(BuiltMessage(terminal.Builder), 7));
        await again.SendAsync();
        Assert.Equal("91", Text((await again.ReceiveAsync())!, 39));
        Assert.Equal(1, sw.Card.Ledger.ApprovedCount);
    }

    /// <summary>Why each ReversalRequested record in the journal was written.</summary>
    private sealed class ReversalRequests : IJournalReplayHandler
    {
        public List<ReversalReason> Reasons { get; } = [];

        public void OnRecord(in JournalRecord record)
        {
            if (record.RecordType != (byte)TransactionRecordType.ReversalRequested) return;
            Assert.True(ReversalRequestedRecord.TryRead(record.Payload, out _, out _, out ReversalReason reason));
            Reasons.Add(reason);
        }
    }

    private static IsoMessage BuiltMessage(IsoMessageBuilder builder)
    {
        byte[] bytes = new byte[builder.MessageLength];
        builder.WriteMessage(bytes);
        var message = new IsoMessage();
        Assert.True(message.TryParse(bytes, builder.Dialect, out _));
        return message;
    }
}
