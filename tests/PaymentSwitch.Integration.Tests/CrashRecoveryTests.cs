using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Core.Durability;
using PaymentSwitch.Integration.Tests.Support;
using PaymentSwitch.Iso8583;
using PaymentSwitch.Journal;
using PaymentSwitch.Simulators;
using Xunit.Abstractions;

namespace PaymentSwitch.Integration.Tests;

/// <summary>
/// The design's check for money safety, with real processes: the card issuer simulator and the switch each run as
/// their own process; terminals drive pipelined traffic (with acquirer reversals) while the switch is SIGKILLed at
/// random moments and restarted on the same journal. Afterwards, once every owed reversal is answered, the issuer's
/// net approved amount must equal the journal's, every approval a terminal saw must be in the journal, and no
/// reversal may be completed twice.
/// </summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output)
{
    private const int Seed = 8583_2025;
    private const int Kills = 20;
    private const int TerminalCount = 6;
    private const int WindowPerTerminal = 6;
    private const int IssuerTimeoutMs = 500;

    [Fact]
    public async Task Issuer_and_journal_agree_after_twenty_hard_kills_under_load()
    {
        var clock = Stopwatch.StartNew();
        string dir = Directory.CreateTempSubdirectory("ps-crash-").FullName;
        int acquirerPort = SwitchProcess.FreePort(), statusPort = SwitchProcess.FreePort(), cardPort = SwitchProcess.FreePort(), adminPort = SwitchProcess.FreePort();
        string config = WriteConfig(dir, acquirerPort, statusPort, cardPort);
        string journalDirectory = Path.Combine(dir, "journal");
        var random = new Random(Seed);
        output.WriteLine($"seed {Seed}; {Kills} kills; {TerminalCount} terminals × {WindowPerTerminal} pipelined; issuer timeout {IssuerTimeoutMs} ms; dir {dir}");

        // The issuer: answers after 0–550 ms (so about one request in eleven times out), declines amounts above 90,000.
        await using var issuer = CardSimulatorProcess.Start(cardPort, adminPort, "--jitter-ms", "550", "--decline-above", "90000");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}/") };
        await issuer.WaitUntilAnsweringAsync(http);

        var load = new AcquirerLoad(new IPEndPoint(IPAddress.Loopback, acquirerPort), TerminalCount, WindowPerTerminal, Seed);
        var restarts = new List<string>();
        SwitchProcess current = SwitchProcess.Start("--config", config);
        int kills = 0, earlyKills = 0;
        try
        {
            Assert.True(await current.WaitForOutputAsync(SwitchProcess.AcquirerListening, 60_000), current.Output);
            load.Start();
            for (int k = 1; k <= Kills; k++)
            {
                // Every fifth kill lands at a random moment of the start-up (journal replay, sign-on, re-sent owed
                // reversals); the others after two to four seconds of traffic.
                bool early = k % 5 == 0;
                if (early)
                {
                    await Task.Delay(random.Next(150, 1000));
                    earlyKills++;
                }
                else
                {
                    Assert.True(await current.WaitForOutputAsync(SwitchProcess.AcquirerListening, 60_000), "the switch did not come back after a kill:\n" + current.Output);
                    await Task.Delay(random.Next(2000, 4001));
                }
                Assert.False(current.HasExited, "the switch stopped by itself:\n" + current.Output);
                current.KillHard();
                await current.WaitForExitAsync(20_000);
                kills++;
                restarts.Add(Summarise(current.Output));
                await current.DisposeAsync();
                current = SwitchProcess.Start("--config", config);
            }

            // Let the last incarnation run, then stop new traffic and let the terminals settle their reversals.
            Assert.True(await current.WaitForOutputAsync(SwitchProcess.AcquirerListening, 60_000), current.Output);
            await Task.Delay(1500);
            await load.StopAsync(TimeSpan.FromSeconds(60));

            // Wait until the journal owes nothing: every recovery, timeout and acquirer reversal answered by the issuer.
            ReconciliationReport live = await WaitUntilNothingOwedAsync(journalDirectory, TimeSpan.FromSeconds(90));
            Assert.True(live.ReversalsOwed.Count == 0, $"{live.ReversalsOwed.Count} reversal(s) still owed 90 s after the load stopped, oldest " +
                $"#{live.ReversalsOwed.Oldest?.ForwardedSequence} ({live.ReversalsOwed.Oldest?.Reason}); journal kept in {dir}");
            current.Terminate();
            Assert.Equal(0, await current.WaitForExitAsync(60_000));
            restarts.Add(Summarise(current.Output));
        }
        finally
        {
            await load.DisposeAsync();
            await current.DisposeAsync();
        }

        // What each side holds now.
        var journal = new JournalTransactions();
        RecoveryReport scan = JournalScanner.Scan(journalDirectory, journal);
        var builder = new ReconciliationBuilder();
        JournalScanner.Scan(journalDirectory, builder);
        ReconciliationReport report = builder.Build();
        IssuerLedger ledger = await IssuerLedger.ReadAsync(http);
        (int verifyExit, string verifyOutput) = await SwitchProcess.RunAsync(120_000, "journal", "verify", "--config", config);
        (int reportExit, string reportOutput) = await SwitchProcess.RunAsync(120_000, "journal", "report", "--config", config, "--json");
        JsonElement verbTotals = JsonDocument.Parse(reportOutput).RootElement.GetProperty("reconciliation").GetProperty("totals");
        int verbOwed = JsonDocument.Parse(reportOutput).RootElement.GetProperty("reconciliation").GetProperty("reversalsOwed").GetProperty("count").GetInt32();

        PrintTotals(clock.Elapsed, kills, earlyKills, restarts, load, journal, scan, report, ledger, verbTotals);

        // Every invariant is checked and all violations are reported together (the directory is kept for a look).
        var violations = new List<string>();
        void Check(bool holds, string violation)
        {
            if (!holds) violations.Add(violation);
        }

        // 0. Every record follows the journal's rules: outcomes and reversals name a Forwarded record, one outcome each.
        Check(journal.Malformed.Count == 0, $"{journal.Malformed.Count} record(s) break the journal's rules: {string.Join("; ", journal.Malformed.Take(12))}");

        // 1. Every approval a terminal received is in the journal: Forwarded + an approved Outcome, same amount.
        var missing = new List<string>();
        foreach ((AcquirerKey key, long amount) in load.Approvals)
        {
            if (!journal.ByKey.TryGetValue(key, out JournalTransactions.Entry? entry) || !entry.Approved || entry.Amount != amount)
                missing.Add($"{key} amount {amount}: {(entry is null ? "no Forwarded record" : $"outcome {entry.OutcomeText}, amount {entry.Amount}")}");
        }
        Check(missing.Count == 0, $"{missing.Count} approval(s) the terminals received are not approved in the journal: {string.Join("; ", missing.Take(10))}");
        Check(load.Approvals.Count > 1000, $"too little traffic to mean anything ({load.Approvals.Count} approvals)");

        // 2. No reversal completed twice in the journal (at most one ReversalCompleted per Forwarded sequence).
        Check(journal.CompletedTwice.Count == 0,
            $"{journal.CompletedTwice.Count} reversal(s) completed more than once in the journal: forwarded #{string.Join(", #", journal.CompletedTwice.Take(20))} " +
            $"(inspect one: PaymentSwitch journal dump --dir {journalDirectory} --type reversal)");
        Check(report.Anomalies.DuplicateReversalCompletions == journal.Completions - journal.CompletedOriginals,
            "the reconciliation model counts completed-twice reversals differently from this test");

        // 3. The issuer's net approved amount equals the journal's, now that nothing is owed — computed here from the
        //    records, by the reconciliation model, and by the `journal report` verb.
        Check(journal.NetApprovedAmount == report.Totals.NetApprovedAmountMinor,
            $"net approved computed here {journal.NetApprovedAmount} differs from the reconciliation model's {report.Totals.NetApprovedAmountMinor}");
        Check(report.Totals.NetApprovedAmountMinor == verbTotals.GetProperty("netApprovedAmountMinor").GetInt64(), "`journal report` disagrees with the model");
        Check(verbOwed == 0, $"`journal report` says {verbOwed} reversal(s) still owed");
        Check(ledger.NetApprovedAmountMinor == report.Totals.NetApprovedAmountMinor,
            $"NET APPROVED DIFFERS: issuer {ledger.NetApprovedAmountMinor}, journal {report.Totals.NetApprovedAmountMinor} (difference {ledger.NetApprovedAmountMinor - report.Totals.NetApprovedAmountMinor})");

        // 4. The issuer's reversals are consistent with the journal's completions. The first reversal message the issuer
        //    gets for an original is booked Reversed (it had approved it) or Unknown (it never saw the request: the
        //    switch stopped before sending it); any further message for the same original is a duplicate. So the
        //    originals the journal shows completed lie between the issuer's Reversed count and Reversed + Unknown
        //    (Unknown also counts repeats). Duplicates at the issuer are legitimate after a crash or a slow answer: the
        //    switch sent a reversal and the issuer booked it, but the switch never made the 0430 durable (it timed out
        //    waiting, or it was killed before the ReversalCompleted record reached the disk), so it still owed it and
        //    sent it again (0421). They book nothing. What must never happen is a second ReversalCompleted for one
        //    original (check 2): that is the switch settling the same debt twice — sending a reversal it knew was done.
        Check(journal.CompletedOriginals >= ledger.ReversedCount && journal.CompletedOriginals <= ledger.ReversedCount + ledger.UnknownReversalCount,
            $"reversals completed for {journal.CompletedOriginals} originals, but the issuer reversed {ledger.ReversedCount} and refused {ledger.UnknownReversalCount} as unknown");
        Check(ledger.DuplicateRequestCount == 0, $"the issuer saw {ledger.DuplicateRequestCount} authorisation(s) twice under one key");

        // 5. The journal is intact, the verbs agree, the acquirer side saw nothing odd.
        Check(verifyExit == 0 && verifyOutput.Contains("result: CLEAN", StringComparison.Ordinal), "journal verify: exit " + verifyExit + "\n" + verifyOutput);
        Check(reportExit == 0, "journal report: exit " + reportExit);
        Check(kills >= Kills, $"only {kills} kills");
        Check(earlyKills > 0, "no kill landed during start-up");
        Check(load.UnmatchedReversalsOfReceivedApprovals == 0,
            $"{load.UnmatchedReversalsOfReceivedApprovals} acquirer reversal(s) of approvals the terminal received were answered 25 (original not found)");
        Check(load.UnexpectedReplies == 0, $"{load.UnexpectedReplies} repl(ies) matched no pending request");

        Assert.True(violations.Count == 0, $"{violations.Count} invariant(s) violated (journal kept in {dir}):\n  " + string.Join("\n  ", violations));

        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }

    /// <summary>
    /// The completed-twice invariant without a crash: a request times out, the switch's own reversal is answered, and
    /// then the acquirer reverses the request too (its terminal gave up before the 91 arrived, as terminals do). The
    /// switch must acknowledge the acquirer without sending a second reversal for a debt it has already settled.
    /// </summary>
    [Fact]
    public async Task An_acquirer_reversal_of_a_request_whose_reversal_is_already_settled_is_not_sent_again()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync(overrides: ["--Issuers:0:TimeoutMs=300"]);
        string journal = Path.Combine(sw.Directory, "journal");
        await using TestTerminal terminal = await sw.ConnectAsync();

        sw.Card.SetFault(FaultMode.Silent);
        Requests.Authorisation(terminal.Builder, Requests.CardPan, 5_000, 1);
        await terminal.SendAsync();
        IsoMessage timedOut = (await terminal.ReceiveAsync())!;
        Assert.Equal("91", Requests.Text(timedOut, 39));
        sw.Card.SetFault(FaultMode.None);
        await WaitForAsync(() => ReversalCompletions(journal) == 1, TimeSpan.FromSeconds(30));

        string de90 = $"0100{1:D6}{Requests.Text(timedOut, 7)}{"12345".PadLeft(11, '0')}{new string('0', 11)}";
        terminal.Builder.Reset(Mti.ReversalAdvice).SetString(2, Requests.CardPan).SetNumber(3, 0).SetNumber(4, 5_000)
            .SetString(7, DateTime.UtcNow.ToString("MMddHHmmss", CultureInfo.InvariantCulture)).SetNumber(11, 2).SetString(32, "12345")
            .SetString(37, "RRN000000001").SetString(41, "TERM0001").SetString(42, "MERCHANT0000001").SetString(49, "978").SetString(90, de90);
        await terminal.SendAsync();
        Assert.Equal("00", Requests.Text((await terminal.ReceiveAsync())!, 39));

        // A second reversal would go out on the engine's next tick and be answered at once: give it two seconds.
        await WaitForAsync(() => ReversalCompletions(journal) > 1, TimeSpan.FromSeconds(2));
        Assert.True(ReversalCompletions(journal) == 1,
            $"the switch settled the same reversal {ReversalCompletions(journal)} times; the issuer saw {sw.Card.Ledger.DuplicateReversalCount} duplicate reversal(s)");
    }

    /// <summary>
    /// Rule 2 names its request: every Outcome record must name the Forwarded record of its own request, every request
    /// must be answered, and the switch must keep running, even when the issuer's timeout is shorter than a journal
    /// write (a slow disk, a busy machine): the timeout must not run out on a request that has not left the switch.
    /// Run with the switch as its own process, so that a crash of the switch is seen as one.
    /// </summary>
    [Fact]
    public async Task Every_outcome_names_its_own_forwarded_record_even_when_the_issuer_timeout_is_shorter_than_a_journal_write()
    {
        string dir = Directory.CreateTempSubdirectory("ps-short-timeout-").FullName;
        int acquirerPort = SwitchProcess.FreePort(), cardPort = SwitchProcess.FreePort(), adminPort = SwitchProcess.FreePort();
        string config = WriteConfig(dir, acquirerPort, SwitchProcess.FreePort(), cardPort, timeoutMs: 10);
        await using var issuer = CardSimulatorProcess.Start(cardPort, adminPort, "--latency-ms", "5");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}/") };
        await issuer.WaitUntilAnsweringAsync(http);
        await using SwitchProcess sw = SwitchProcess.Start("--config", config, "--Issuers:0:CircuitBreaker:Enabled=false");
        Assert.True(await sw.WaitForOutputAsync("signed on", 60_000), sw.Output);
        Assert.True(await sw.WaitForOutputAsync(SwitchProcess.AcquirerListening, 60_000), sw.Output); // the acquirer port accepts

        const int Terminals = 4, PerTerminal = 300, Window = 20;
        int answered = 0, unanswered = 0;
        await Task.WhenAll(Enumerable.Range(0, Terminals).Select(async t =>
        {
            int sent = 0, received = 0;
            try
            {
                await using TestTerminal terminal = await TestTerminal.ConnectAsync(new IPEndPoint(IPAddress.Loopback, acquirerPort), RunningSwitch.Ascii);
                while (received < PerTerminal)
                {
                    while (sent < PerTerminal && sent - received < Window)
                    {
                        Requests.Authorisation(terminal.Builder, Requests.CardPan, 100 + sent, (t * 10_000) + ++sent, $"TERM{t:D4}");
                        await terminal.SendAsync();
                    }
                    if (await terminal.ReceiveAsync(15_000) is null) break; // the switch closed the connection
                    received++;
                    Interlocked.Increment(ref answered);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException)
            {
                // no answer for 15 s, or the connection died: counted below
            }
            Interlocked.Add(ref unanswered, sent - received);
        }));
        bool crashed = sw.HasExited;
        if (!crashed) sw.Terminate();
        await sw.WaitForExitAsync(60_000); // also drains its output

        var journal = new JournalTransactions();
        JournalScanner.Scan(Path.Combine(dir, "journal"), journal);
        string crash = crashed ? string.Join('\n', sw.Output.Split('\n').Where(l => l.Contains("Exception", StringComparison.Ordinal) || l.TrimStart().StartsWith("at ", StringComparison.Ordinal)).Take(8)) : "";
        Assert.True(!crashed && unanswered == 0 && journal.Malformed.Count == 0,
            $"switch crashed: {crashed}; {unanswered} request(s) never answered; {journal.Malformed.Count} record(s) name the wrong request: " +
            string.Join("; ", journal.Malformed.Take(10)) + (crashed ? "\n" + crash : ""));
        Assert.Equal(Terminals * PerTerminal, answered);
        Directory.Delete(dir, recursive: true);
    }

    /// <summary>
    /// A stand-in approval given after the issuer timed out is money the issuer learns of from the advice. When the
    /// acquirer reverses that approval, the issuer must end up holding nothing for it — whatever the switch already
    /// owed for the request it had sent before the timeout.
    /// </summary>
    [Fact]
    public async Task A_stand_in_approval_the_acquirer_reverses_is_not_left_booked_at_the_issuer()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync(
            overrides: ["--Issuers:0:TimeoutMs=300", "--Issuers:0:StandIn:Enabled=true", "--Issuers:0:CircuitBreaker:Enabled=false"]);
        string journal = Path.Combine(sw.Directory, "journal");
        await using TestTerminal terminal = await sw.ConnectAsync();

        sw.Card.SetFault(FaultMode.Silent);
        Requests.Authorisation(terminal.Builder, Requests.CardPan, 5_000, 1);
        await terminal.SendAsync();
        IsoMessage approved = (await terminal.ReceiveAsync())!;
        Assert.Equal("00", Requests.Text(approved, 39)); // approved in stand-in after the timeout

        string de90 = $"0100{1:D6}{Requests.Text(approved, 7)}{"12345".PadLeft(11, '0')}{new string('0', 11)}";
        terminal.Builder.Reset(Mti.ReversalAdvice).SetString(2, Requests.CardPan).SetNumber(3, 0).SetNumber(4, 5_000)
            .SetString(7, DateTime.UtcNow.ToString("MMddHHmmss", CultureInfo.InvariantCulture)).SetNumber(11, 2).SetString(32, "12345")
            .SetString(37, "RRN000000001").SetString(41, "TERM0001").SetString(42, "MERCHANT0000001").SetString(49, "978").SetString(90, de90);
        await terminal.SendAsync();
        Assert.Equal("00", Requests.Text((await terminal.ReceiveAsync())!, 39)); // the acquirer is told it is reversed

        sw.Card.SetFault(FaultMode.None);
        ReconciliationReport report = Reconcile(journal);
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while ((report.ReversalsOwed.Count > 0 || report.AdvicesOwed.Count > 0) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            report = Reconcile(journal);
        }
        Assert.Equal((0, 0), (report.ReversalsOwed.Count, report.AdvicesOwed.Count));
        Assert.True(sw.Card.Ledger.NetApprovedAmountMinor == 0 && report.Totals.NetApprovedAmountMinor == 0,
            $"the acquirer reversed its only approval, yet the issuer's net is {sw.Card.Ledger.NetApprovedAmountMinor} " +
            $"(advices {sw.Card.Ledger.AdviceAmountMinor}, reversed {sw.Card.Ledger.ReversedAmountMinor}) and the journal's net is {report.Totals.NetApprovedAmountMinor}");
    }

    private static ReconciliationReport Reconcile(string journal)
    {
        var builder = new ReconciliationBuilder();
        JournalScanner.Scan(journal, builder);
        return builder.Build();
    }

    /// <summary>
    /// An acquirer repeats a reversal (0421) whose acknowledgement it did not get, possibly after the switch restarted.
    /// Once the switch has settled that reversal with the issuer, a repeat — before or after a restart — must be
    /// acknowledged without sending the issuer another one.
    /// </summary>
    [Fact]
    public async Task A_repeated_acquirer_reversal_after_a_restart_is_not_sent_again()
    {
        string dir = Directory.CreateTempSubdirectory("ps-repeat-").FullName;
        int acquirerPort = SwitchProcess.FreePort(), cardPort = SwitchProcess.FreePort(), adminPort = SwitchProcess.FreePort();
        string config = WriteConfig(dir, acquirerPort, SwitchProcess.FreePort(), cardPort);
        string journal = Path.Combine(dir, "journal");
        await using var issuer = CardSimulatorProcess.Start(cardPort, adminPort);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}/") };
        await issuer.WaitUntilAnsweringAsync(http);
        var acquirer = new IPEndPoint(IPAddress.Loopback, acquirerPort);

        string reversalDe7 = DateTime.UtcNow.ToString("MMddHHmmss", CultureInfo.InvariantCulture);
        void BuildReversal(IsoMessageBuilder b, int mti, IsoMessage original) =>
            b.Reset(mti).SetString(2, Requests.CardPan).SetNumber(3, 0).SetNumber(4, 1_234).SetString(7, reversalDe7).SetNumber(11, 2)
                .SetString(32, "12345").SetString(37, "RRN000000001").SetString(41, "TERM0001").SetString(42, "MERCHANT0000001").SetString(49, "978")
                .SetString(90, $"0100{1:D6}{Requests.Text(original, 7)}{"12345".PadLeft(11, '0')}{new string('0', 11)}");

        IsoMessage approved;
        await using (SwitchProcess first = SwitchProcess.Start("--config", config))
        {
            Assert.True(await first.WaitForOutputAsync("signed on", 60_000), first.Output);
            Assert.True(await first.WaitForOutputAsync(SwitchProcess.AcquirerListening, 60_000), first.Output); // the acquirer port accepts
            await using TestTerminal terminal = await TestTerminal.ConnectAsync(acquirer, RunningSwitch.Ascii);
            Requests.Authorisation(terminal.Builder, Requests.CardPan, 1_234, 1);
            await terminal.SendAsync();
            approved = (await terminal.ReceiveAsync())!;
            Assert.Equal("00", Requests.Text(approved, 39));
            BuildReversal(terminal.Builder, Mti.ReversalAdvice, approved);
            await terminal.SendAsync();
            Assert.Equal("00", Requests.Text((await terminal.ReceiveAsync())!, 39));
            await WaitForAsync(() => ReversalCompletions(journal) == 1, TimeSpan.FromSeconds(30));
            Assert.Equal(1, ReversalCompletions(journal));

            // The same repeat before the restart is acknowledged without a second reversal.
            BuildReversal(terminal.Builder, Mti.ReversalAdviceRepeat, approved);
            await terminal.SendAsync();
            Assert.Equal("00", Requests.Text((await terminal.ReceiveAsync())!, 39));
            first.Terminate();
            Assert.Equal(0, await first.WaitForExitAsync(60_000));
        }
        Assert.Equal(1, ReversalCompletions(journal));

        await using (SwitchProcess second = SwitchProcess.Start("--config", config))
        {
            Assert.True(await second.WaitForOutputAsync("signed on", 60_000), second.Output);
            Assert.True(await second.WaitForOutputAsync(SwitchProcess.AcquirerListening, 60_000), second.Output); // the acquirer port accepts
            await using TestTerminal terminal = await TestTerminal.ConnectAsync(acquirer, RunningSwitch.Ascii);
            BuildReversal(terminal.Builder, Mti.ReversalAdviceRepeat, approved);
            await terminal.SendAsync();
            Assert.Equal("00", Requests.Text((await terminal.ReceiveAsync())!, 39));
            await WaitForAsync(() => ReversalCompletions(journal) > 1, TimeSpan.FromSeconds(3));
            second.Terminate();
            await second.WaitForExitAsync(60_000);
        }

        IssuerLedger ledger = await IssuerLedger.ReadAsync(http);
        Assert.True(ReversalCompletions(journal) == 1 && ledger.DuplicateReversalCount == 0,
            $"after the restart the switch settled the same reversal {ReversalCompletions(journal)} times; the issuer saw {ledger.DuplicateReversalCount} duplicate(s)");
        Directory.Delete(dir, recursive: true);
    }

    private static long ReversalCompletions(string journal)
    {
        var builder = new ReconciliationBuilder();
        JournalScanner.Scan(journal, builder);
        return builder.Build().Anomalies.ReversalAnswerCodes.Values.Sum();
    }

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(50);
    }

    private void PrintTotals(TimeSpan elapsed, int kills, int earlyKills, List<string> restarts, AcquirerLoad load, JournalTransactions journal, RecoveryReport scan,
        ReconciliationReport report, IssuerLedger ledger, JsonElement verbTotals)
    {
        var o = new StringBuilder();
        o.AppendLine($"run time {elapsed.TotalSeconds:F1} s; kills {kills} ({earlyKills} during start-up / recovery)");
        for (int i = 0; i < restarts.Count; i++) o.AppendLine($"  incarnation {i + 1}: {restarts[i]}");
        o.AppendLine($"terminals: {load.Sent} requests sent, {load.Answered} answered ({string.Join(", ", load.AnswersByCode.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} ×{kv.Value}"))}), " +
            $"{load.Lost} lost in kills, {load.ConnectionErrors} connection errors, {load.UnexpectedReplies} unexpected replies");
        o.AppendLine($"  approvals received: {load.Approvals.Count}, amount {load.Approvals.Values.Sum()}");
        o.AppendLine($"  acquirer reversals: {load.ReversalsSent} sent (of approvals {load.ReversalsOfApprovals}, of lost requests {load.ReversalsOfLost}), " +
            $"answered 00 ×{load.ReversalsAnswered00}, 25 ×{load.ReversalsAnswered25} ({load.UnmatchedReversalsOfReceivedApprovals} of received approvals), " +
            $"other ×{load.ReversalsAnsweredOther}, repeats after a lost answer {load.ReversalRepeats}");
        o.AppendLine($"journal: {scan.Segments.Count} segments, {journal.Records} records, {journal.ByKey.Count} forwarded, damage {scan.Damages.Count}, " +
            $"records breaking its rules {journal.Malformed.Count}");
        ReconciliationTotals t = report.Totals;
        o.AppendLine($"  approved {t.ApprovedCount} / {t.ApprovedAmountMinor}, reversed {t.ReversedCount} / {t.ReversedAmountMinor}, NET {t.NetApprovedCount} / {t.NetApprovedAmountMinor}");
        o.AppendLine($"  declined {t.DeclinedCount}, timed out {t.TimedOutCount}, no outcome {t.NoOutcomeCount}, reversal completions {journal.Completions} " +
            $"for {journal.CompletedOriginals} originals (completed twice: {journal.CompletedTwice.Count}), owed {report.ReversalsOwed.Count}");
        o.AppendLine($"  reversal answers: {string.Join(", ", report.Anomalies.ReversalAnswerCodes.Select(kv => $"{kv.Key} ×{kv.Value}"))}");
        o.AppendLine($"  net computed here {journal.NetApprovedAmount}; `journal report` verb net {verbTotals.GetProperty("netApprovedAmountMinor").GetInt64()}");
        o.AppendLine($"issuer: approved {ledger.ApprovedCount} / {ledger.ApprovedAmountMinor}, reversed {ledger.ReversedCount} / {ledger.ReversedAmountMinor}, NET {ledger.NetApprovedAmountMinor}");
        o.AppendLine($"  duplicate reversals {ledger.DuplicateReversalCount}, unknown reversals {ledger.UnknownReversalCount}, declined after reversal {ledger.DeclinedAfterReversalCount}, " +
            $"duplicate requests {ledger.DuplicateRequestCount}, declined {ledger.DeclinedCount}");
        o.AppendLine($"NET: issuer {ledger.NetApprovedAmountMinor} vs journal {t.NetApprovedAmountMinor} → {(ledger.NetApprovedAmountMinor == t.NetApprovedAmountMinor ? "EQUAL" : "DIFFERENT")}");
        output.WriteLine(o.ToString());
    }

    /// <summary>One line per incarnation of the switch: what its start-up replay found.</summary>
    private static string Summarise(string log)
    {
        var parts = new List<string>();
        foreach (string line in log.Split('\n'))
        {
            if (line.Contains("Journal replayed", StringComparison.Ordinal) || line.Contains("torn tail", StringComparison.Ordinal))
                parts.Add(line[(line.IndexOf("] ", StringComparison.Ordinal) + 2)..].Trim());
        }
        if (!log.Contains(SwitchProcess.AcquirerListening, StringComparison.Ordinal)) parts.Add("killed before it listened");
        return parts.Count == 0 ? "killed before replay finished" : string.Join("; ", parts);
    }

    private static async Task<ReconciliationReport> WaitUntilNothingOwedAsync(string journalDirectory, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var builder = new ReconciliationBuilder();
            JournalScanner.Scan(journalDirectory, builder); // read-only, beside the running switch
            ReconciliationReport report = builder.Build();
            if (report.ReversalsOwed.Count == 0 || DateTime.UtcNow > deadline) return report;
            await Task.Delay(500);
        }
    }

    private static string WriteConfig(string dir, int acquirer, int status, int card, int timeoutMs = IssuerTimeoutMs)
    {
        File.WriteAllText(Path.Combine(dir, "routes.json"), """[ { "Prefix": "476173", "Issuer": "card-sim" } ]""");
        string path = Path.Combine(dir, "switch.json");
        File.WriteAllText(path, $$"""
            {
              "Acquirers": [ { "Name": "pos", "Listen": "127.0.0.1:{{acquirer}}" } ],
              "Issuers": [
                { "Id": "card-sim", "Kind": "card", "Endpoints": [ "127.0.0.1:{{card}}" ], "Connections": 2, "TimeoutMs": {{timeoutMs}},
                  "ReconnectInitialMs": 50, "ReconnectMaxMs": 300 }
              ],
              "Routes": { "File": "routes.json", "Watch": false },
              "Dialects": "{{RunningSwitch.DialectDirectory.Replace("\\", "/")}}",
              "Journal": { "Directory": "journal", "Durability": "strict", "SegmentSizeBytes": 1048576, "MinFreeBytes": 0,
                           "PanKey": "{{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}}" },
              "Status": { "Listen": "127.0.0.1:{{status}}" },
              "Simulators": { "Embedded": false }
            }
            """);
        return path;
    }

    /// <summary>An acquirer's identity of a transaction: DE32, DE41, DE11, DE7.</summary>
    private readonly record struct AcquirerKey(string Acquirer, string Terminal, int Stan, long TransmissionTime)
    {
        public override string ToString() => $"{Acquirer}/{Terminal}/{Stan:D6}/{TransmissionTime:D10}";
    }

    /// <summary>Every forwarded transaction in the journal by its acquirer identity, with its outcome and reversal completions.</summary>
    private sealed class JournalTransactions : IJournalReplayHandler
    {
        public sealed class Entry
        {
            public long Sequence;
            public long Amount;
            public bool HasOutcome;
            public OutcomeRecord Outcome;
            public int Completions;
            public bool Approved => HasOutcome && Outcome.Outcome == TransactionOutcome.IssuerAnswered && Outcome.ResponseCode.IsApproved;
            public string OutcomeText => HasOutcome ? $"{Outcome.Outcome} {Outcome.ResponseCode}" : "none";
        }

        private readonly Dictionary<long, Entry> _bySequence = [];
        public Dictionary<AcquirerKey, Entry> ByKey { get; } = [];
        public List<long> CompletedTwice { get; } = [];

        /// <summary>Records that break the journal's own rules (reported as violations, not thrown, so every check runs).</summary>
        public List<string> Malformed { get; } = [];
        public long Records { get; private set; }
        public long Completions { get; private set; }
        public long CompletedOriginals => _bySequence.Values.Count(e => e.Completions > 0);
        public long NetApprovedAmount => _bySequence.Values.Where(e => e.Approved && e.Completions == 0).Sum(e => e.Amount);

        private Entry? Find(string what, long sequence, long forwarded)
        {
            if (_bySequence.TryGetValue(forwarded, out Entry? entry)) return entry;
            Malformed.Add($"{what} #{sequence} names #{forwarded}, which is not a Forwarded record");
            return null;
        }

        public void OnRecord(in JournalRecord record)
        {
            Records++;
            long sequence = record.Sequence;
            switch ((TransactionRecordType)record.RecordType)
            {
                case TransactionRecordType.Forwarded:
                    if (!ForwardedRecord.TryRead(record.Payload, out ForwardedRecord? f))
                    {
                        Malformed.Add($"Forwarded #{sequence} does not decode");
                        return;
                    }
                    var entry = new Entry { Sequence = sequence, Amount = f!.Amount };
                    _bySequence[sequence] = entry;
                    if (!ByKey.TryAdd(new AcquirerKey(f.AcquirerId, f.TerminalId, f.AcquirerStan, f.TransmissionTime), entry))
                        Malformed.Add($"Forwarded #{sequence} forwards {f.AcquirerId}/{f.TerminalId}/{f.AcquirerStan}/{f.TransmissionTime} a second time");
                    break;
                case TransactionRecordType.Outcome:
                    if (!OutcomeRecord.TryRead(record.Payload, out OutcomeRecord outcome))
                    {
                        Malformed.Add($"Outcome #{sequence} does not decode");
                        return;
                    }
                    if (Find("Outcome", sequence, outcome.ForwardedSequence) is not Entry answered) return;
                    if (answered.HasOutcome)
                    {
                        Malformed.Add($"Outcome #{sequence} is a second outcome for #{outcome.ForwardedSequence}");
                        return;
                    }
                    answered.HasOutcome = true;
                    answered.Outcome = outcome;
                    break;
                case TransactionRecordType.ReversalCompleted:
                    if (!ReversalRecord.TryRead(record.Payload, out ReversalRecord completed))
                    {
                        Malformed.Add($"ReversalCompleted #{sequence} does not decode");
                        return;
                    }
                    if (Find("ReversalCompleted", sequence, completed.ForwardedSequence) is not Entry reversed) return;
                    Completions++;
                    if (++reversed.Completions == 2) CompletedTwice.Add(completed.ForwardedSequence);
                    break;
                case TransactionRecordType.ReversalRequested:
                    if (!ReversalRequestedRecord.TryRead(record.Payload, out long original, out _, out _))
                    {
                        Malformed.Add($"ReversalRequested #{sequence} does not decode");
                        return;
                    }
                    Find("ReversalRequested", sequence, original);
                    break;
                default:
                    // Stand-in advices are off in this test: nothing else should be written.
                    Malformed.Add($"record #{sequence} has type {record.RecordType}, not expected here");
                    break;
            }
        }
    }

    /// <summary>The simulator's ledger (GET /ledger on its admin port).</summary>
    private sealed record IssuerLedger(long ApprovedCount, long ApprovedAmountMinor, long ReversedCount, long ReversedAmountMinor, long NetApprovedAmountMinor,
        long DuplicateReversalCount, long UnknownReversalCount, long DeclinedAfterReversalCount, long DuplicateRequestCount, long DeclinedCount)
    {
        public static async Task<IssuerLedger> ReadAsync(HttpClient http)
        {
            using JsonDocument json = JsonDocument.Parse(await http.GetStringAsync("ledger"));
            JsonElement l = json.RootElement;
            long Get(string name) => l.GetProperty(name).GetInt64();
            return new IssuerLedger(Get("approvedCount"), Get("approvedAmountMinor"), Get("reversedCount"), Get("reversedAmountMinor"), Get("netApprovedAmountMinor"),
                Get("duplicateReversalCount"), Get("unknownReversalCount"), Get("declinedAfterReversalCount"), Get("duplicateRequestCount"), Get("declinedCount"));
        }
    }

    /// <summary>The card issuer simulator executable as its own process.</summary>
    private sealed class CardSimulatorProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        private CardSimulatorProcess(Process process)
        {
            _process = process;
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public string Output { get { lock (_output) return _output.ToString(); } }

        /// <summary>Beside the tests (a project reference copies it), else in the simulator project's Release output.</summary>
        private static string Dll()
        {
            string beside = Path.Combine(AppContext.BaseDirectory, "PaymentSwitch.Simulators.dll");
            if (File.Exists(beside)) return beside;
            string built = Path.Combine(RunningSwitch.RepositoryRoot, "src", "PaymentSwitch.Simulators", "bin", "Release", "net10.0", "PaymentSwitch.Simulators.dll");
            Assert.True(File.Exists(built), "the card issuer simulator is not built: run `dotnet build PaymentSwitch.sln -c Release`");
            return built;
        }

        public static CardSimulatorProcess Start(int port, int adminPort, params string[] options)
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add(Dll());
            foreach (string a in (string[])["card", "--listen", $"127.0.0.1:{port}", "--admin", $"127.0.0.1:{adminPort}",
                "--dialects", RunningSwitch.DialectDirectory, "--log-level", "warning", .. options])
                info.ArgumentList.Add(a);
            return new CardSimulatorProcess(Process.Start(info)!);
        }

        public async Task WaitUntilAnsweringAsync(HttpClient http)
        {
            DateTime deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                try
                {
                    await http.GetStringAsync("ledger");
                    return;
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline && !_process.HasExited)
                {
                    await Task.Delay(100);
                }
                catch (HttpRequestException ex)
                {
                    throw new InvalidOperationException("the card issuer simulator did not start:\n" + Output, ex);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }
            _process.Dispose();
        }
    }

    /// <summary>
    /// Terminals of two acquirers sending pipelined 0100/0200 requests with a unique DE11/DE7 each, and 0420 reversals
    /// of some approvals they received and of some requests whose answer a kill swallowed (as an acquirer does after its
    /// own timeout); an unanswered reversal is repeated (0421) until answered. Connection errors are counted, not failed.
    /// </summary>
    private sealed class AcquirerLoad : IAsyncDisposable
    {
        private static readonly string[] Pans = [.. Enumerable.Range(0, 8).Select(i => WithLuhn($"476173900101{i:D3}"))];
        private readonly IPEndPoint _switch;
        private readonly Terminal[] _terminals;
        private readonly CancellationTokenSource _stopNew = new();
        private readonly CancellationTokenSource _abort = new();
        private readonly DateTime _de7Base = DateTime.UtcNow.Date.AddHours(1);
        private Task[] _running = [];
        private long _de7Sequence;

        public AcquirerLoad(IPEndPoint endpoint, int terminals, int window, int seed)
        {
            _switch = endpoint;
            _terminals = [.. Enumerable.Range(0, terminals).Select(i => new Terminal(this, i, window, seed + i))];
        }

        public ConcurrentDictionary<AcquirerKey, long> Approvals { get; } = new();
        public ConcurrentDictionary<string, long> AnswersByCode { get; } = new();
        public long Sent;
        public long Answered;
        public long Lost;
        public long ConnectionErrors;
        public long ReversalsSent;
        public long ReversalsOfApprovals;
        public long ReversalsOfLost;
        public long ReversalRepeats;
        public long ReversalsAnswered00;
        public long ReversalsAnswered25;
        public long ReversalsAnsweredOther;
        public long UnmatchedReversalsOfReceivedApprovals;
        public long UnexpectedReplies;

        public void Start() => _running = [.. _terminals.Select(t => Task.Run(() => t.RunAsync(_stopNew.Token, _abort.Token)))];

        /// <summary>Stops new requests; waits until every request is answered and every queued reversal settled.</summary>
        public async Task StopAsync(TimeSpan timeout)
        {
            _stopNew.Cancel();
            Task all = Task.WhenAll(_running);
            if (await Task.WhenAny(all, Task.Delay(timeout)) != all)
            {
                _abort.Cancel();
                Assert.Fail($"the terminals did not settle within {timeout.TotalSeconds} s (reversals still queued: {_terminals.Sum(t => t.QueuedReversals)})");
            }
            await all;
        }

        public async ValueTask DisposeAsync()
        {
            _stopNew.Cancel();
            _abort.Cancel();
            try
            {
                await Task.WhenAll(_running);
            }
            catch (OperationCanceledException)
            {
            }
        }

        /// <summary>A unique transmission time (MMDDhhmmss, a real date) for every message of the run.</summary>
        public long NextTransmissionTime()
        {
            DateTime t = _de7Base.AddSeconds(Interlocked.Increment(ref _de7Sequence));
            return long.Parse(t.ToString("MMddHHmmss", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        }

        private static string WithLuhn(string body)
        {
            int sum = 0;
            for (int i = 0; i < body.Length; i++)
            {
                int d = body[body.Length - 1 - i] - '0';
                if (i % 2 == 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
                sum += d;
            }
            return body + (char)('0' + (10 - sum % 10) % 10);
        }

        private enum Kind : byte
        {
            Authorisation,
            Reversal,
        }

        /// <summary>A message sent and not yet answered.</summary>
        private sealed class Pending
        {
            public required Kind Kind;
            public required int Stan;
            public required long TransmissionTime;
            public required int Mti;
            public required string Pan;
            public required long Amount;
            public string Rrn = "";

            /// <summary>For a reversal: the original it names and whether the terminal had seen it approved.</summary>
            public Pending? Original;
            public bool OfApproval;
            public bool IsRepeat;
            public DateTime DueUtc;
        }

        private sealed class Terminal(AcquirerLoad load, int index, int window, int seed)
        {
            private readonly Random _random = new(seed);
            private readonly string _id = $"CRT{index:D5}";
            private readonly string _acquirer = index % 2 == 0 ? "12345" : "67890";
            private readonly List<Pending> _reversalQueue = [];
            private readonly ConcurrentDictionary<int, Pending> _pending = new();
            private int _stan;
            private long _pausedUntilMs;

            // The reader and the writer both draw: one generator, taken under its lock.
            private bool Chance(double p)
            {
                lock (_random) return _random.NextDouble() < p;
            }

            private int Next(int min, int maxExclusive)
            {
                lock (_random) return _random.Next(min, maxExclusive);
            }

            public int QueuedReversals
            {
                get { lock (_reversalQueue) return _reversalQueue.Count; }
            }

            public async Task RunAsync(CancellationToken stopNew, CancellationToken abort)
            {
                while (!abort.IsCancellationRequested && !(stopNew.IsCancellationRequested && QueuedReversals == 0))
                {
                    TestTerminal terminal;
                    try
                    {
                        terminal = await TestTerminal.ConnectAsync(load._switch, RunningSwitch.Ascii);
                    }
                    catch (SocketException)
                    {
                        await Task.Delay(50, CancellationToken.None);
                        continue;
                    }
                    try
                    {
                        await RunSessionAsync(terminal, stopNew, abort);
                    }
                    catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
                    {
                        if (!abort.IsCancellationRequested) Interlocked.Increment(ref load.ConnectionErrors);
                    }
                    finally
                    {
                        await terminal.DisposeAsync();
                        AfterConnectionLost();
                    }
                }
            }

            /// <summary>Everything unanswered on a lost connection: requests are lost (some reversed later), reversals repeated.</summary>
            private void AfterConnectionLost()
            {
                foreach (Pending p in _pending.Values)
                {
                    if (p.Kind == Kind.Reversal)
                    {
                        p.IsRepeat = true;
                        p.DueUtc = DateTime.UtcNow.AddMilliseconds(200);
                        Enqueue(p);
                        continue;
                    }
                    Interlocked.Increment(ref load.Lost);
                    if (Chance(0.5)) Enqueue(NewReversal(p, ofApproval: false, delayMs: Next(500, 2000)));
                }
                _pending.Clear();
            }

            private async Task RunSessionAsync(TestTerminal terminal, CancellationToken stopNew, CancellationToken abort)
            {
                using var session = CancellationTokenSource.CreateLinkedTokenSource(abort);
                using var slots = new SemaphoreSlim(window, window);
                Task reader = Task.Run(async () =>
                {
                    try
                    {
                        while (true)
                        {
                            IsoMessage? reply = await terminal.ReceiveAsync(600_000);
                            if (reply is null) throw new IOException("the switch closed the connection");
                            if (OnReply(reply)) slots.Release();
                        }
                    }
                    finally
                    {
                        session.Cancel();
                    }
                }, CancellationToken.None);

                try
                {
                    while (true)
                    {
                        await slots.WaitAsync(session.Token);
                        // While the issuer is unavailable (91) a terminal holds back a moment instead of retrying at once.
                        Pending? next = TakeDueReversal();
                        if (next is null && !stopNew.IsCancellationRequested && Environment.TickCount64 >= Volatile.Read(ref _pausedUntilMs)) next = NewAuthorisation();
                        if (next is null)
                        {
                            slots.Release();
                            if (stopNew.IsCancellationRequested && _pending.IsEmpty && QueuedReversals == 0) return;
                            await Task.Delay(20, session.Token);
                            continue;
                        }
                        _pending[next.Stan] = next;
                        Build(terminal.Builder, next);
                        await terminal.SendAsync();
                        if (next.Kind == Kind.Reversal) Interlocked.Increment(ref load.ReversalsSent);
                        else Interlocked.Increment(ref load.Sent);
                    }
                }
                finally
                {
                    session.Cancel();
                    await terminal.DisposeAsync(); // ends the reader
                    try
                    {
                        await reader;
                    }
                    catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
                    {
                        // the connection is gone; the caller counts it
                    }
                }
            }

            private Pending NewAuthorisation()
            {
                long amount = Chance(0.05) ? Next(90_001, 200_000) : Next(100, 90_000);
                int stan = ++_stan;
                return new Pending
                {
                    Kind = Kind.Authorisation,
                    Stan = stan,
                    TransmissionTime = load.NextTransmissionTime(),
                    Mti = Next(0, 3) == 0 ? Mti.FinancialRequest : Mti.AuthorisationRequest,
                    Pan = Pans[Next(0, Pans.Length)],
                    Amount = amount,
                    Rrn = $"{index:D2}{stan:D10}",
                };
            }

            private Pending NewReversal(Pending original, bool ofApproval, int delayMs)
            {
                if (ofApproval) Interlocked.Increment(ref load.ReversalsOfApprovals);
                else Interlocked.Increment(ref load.ReversalsOfLost);
                return new Pending
                {
                    Kind = Kind.Reversal,
                    Stan = ++_stan,
                    TransmissionTime = load.NextTransmissionTime(),
                    Mti = Mti.ReversalAdvice,
                    Pan = original.Pan,
                    Amount = original.Amount,
                    Rrn = original.Rrn,
                    Original = original,
                    OfApproval = ofApproval,
                    DueUtc = DateTime.UtcNow.AddMilliseconds(delayMs),
                };
            }

            private void Enqueue(Pending reversal)
            {
                lock (_reversalQueue) _reversalQueue.Add(reversal);
            }

            private Pending? TakeDueReversal()
            {
                lock (_reversalQueue)
                {
                    DateTime now = DateTime.UtcNow;
                    for (int i = 0; i < _reversalQueue.Count; i++)
                    {
                        if (_reversalQueue[i].DueUtc > now) continue;
                        Pending due = _reversalQueue[i];
                        _reversalQueue.RemoveAt(i);
                        if (due.IsRepeat) Interlocked.Increment(ref load.ReversalRepeats);
                        return due;
                    }
                    return null;
                }
            }

            /// <summary>Handles a reply; true when it answered a pending message (freeing its pipelining slot).</summary>
            private bool OnReply(IsoMessage reply)
            {
                if (!reply.TryGetInt64(11, out long stan) || !_pending.TryRemove((int)stan, out Pending? p))
                {
                    Interlocked.Increment(ref load.UnexpectedReplies); // every request gets exactly one answer
                    return false;
                }
                string code = Requests.Text(reply, 39);
                if (p.Kind == Kind.Authorisation)
                {
                    Interlocked.Increment(ref load.Answered);
                    load.AnswersByCode.AddOrUpdate(code, 1, (_, n) => n + 1);
                    if (code == "91") Volatile.Write(ref _pausedUntilMs, Environment.TickCount64 + 50);
                    if (code != "00") return true;
                    Assert.True(load.Approvals.TryAdd(new AcquirerKey(_acquirer, _id, p.Stan, p.TransmissionTime), p.Amount));
                    if (Chance(0.1)) Enqueue(NewReversal(p, ofApproval: true, delayMs: Next(0, 1500)));
                    return true;
                }
                switch (code)
                {
                    case "00":
                        Interlocked.Increment(ref load.ReversalsAnswered00);
                        break;
                    case "25":
                        Interlocked.Increment(ref load.ReversalsAnswered25);
                        if (p.OfApproval) Interlocked.Increment(ref load.UnmatchedReversalsOfReceivedApprovals);
                        break;
                    default:
                        // 96 (not journaled) or 91: the acquirer repeats it later.
                        Interlocked.Increment(ref load.ReversalsAnsweredOther);
                        p.IsRepeat = true;
                        p.DueUtc = DateTime.UtcNow.AddMilliseconds(500);
                        Enqueue(p);
                        break;
                }
                return true;
            }

            private void Build(IsoMessageBuilder b, Pending p)
            {
                string de7 = p.TransmissionTime.ToString("D10", CultureInfo.InvariantCulture);
                if (p.Kind == Kind.Authorisation)
                {
                    b.Reset(p.Mti)
                        .SetString(2, p.Pan).SetNumber(3, 0).SetNumber(4, p.Amount).SetString(7, de7).SetNumber(11, p.Stan)
                        .SetString(12, de7.AsSpan(4)).SetString(13, de7.AsSpan(0, 4)).SetNumber(22, 51).SetNumber(25, 0)
                        .SetString(32, _acquirer).SetString(37, p.Rrn).SetString(41, _id).SetString(42, "MERCHANT0000001").SetString(49, "978");
                    return;
                }
                Pending o = p.Original!;
                string de90 = $"{o.Mti:D4}{o.Stan:D6}{o.TransmissionTime:D10}{_acquirer.PadLeft(11, '0')}{new string('0', 11)}";
                b.Reset(p.IsRepeat ? Mti.ReversalAdviceRepeat : Mti.ReversalAdvice)
                    .SetString(2, p.Pan).SetNumber(3, 0).SetNumber(4, p.Amount).SetString(7, de7).SetNumber(11, p.Stan)
                    .SetString(32, _acquirer).SetString(37, p.Rrn).SetString(41, _id).SetString(42, "MERCHANT0000001").SetString(49, "978")
                    .SetString(90, de90);
            }
        }
    }
}
