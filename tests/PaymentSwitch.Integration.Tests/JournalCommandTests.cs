using System.Net;
using System.Text.Json;
using PaymentSwitch.Core.Durability;
using PaymentSwitch.Integration.Tests.Support;
using PaymentSwitch.Iso8583;
using PaymentSwitch.Journal;
using PaymentSwitch.Simulators;

namespace PaymentSwitch.Integration.Tests;

/// <summary>
/// The <c>journal verify|dump|report</c> verbs run as the real executable against journals the switch wrote, and the
/// switch's own start on a journal with a torn tail or a flipped bit.
/// </summary>
public class JournalCommandTests
{
    private static readonly string[] ClearCardNumbers = [Requests.CardPan, Requests.WalletPan];

    private static Task<(int ExitCode, string Output)> Journal(params string[] args) => SwitchProcess.RunAsync(120_000, ["journal", .. args]);

    private static string[] Lines(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l.StartsWith('#') || l.StartsWith('{'))];

    [Fact]
    public async Task Verify_dump_and_report_read_a_live_journal_masked_filtered_and_agreeing_with_the_issuers()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync(
            card: o => o.Rules = new IssuerRules { DeclineAboveAmountMinor = 50_000 },
            overrides: ["--Issuers:0:TimeoutMs=300"]);
        string journal = Path.Combine(sw.Directory, "journal");
        string config = Path.Combine(sw.Directory, "switch.json");
        await using TestTerminal terminal = await sw.ConnectAsync();

        async Task<IsoMessage> Send(string pan, long amount, int stan, string term = "TERM0001")
        {
            Requests.Authorisation(terminal.Builder, pan, amount, stan, term);
            await terminal.SendAsync();
            return (await terminal.ReceiveAsync())!;
        }

        Assert.Equal("00", Requests.Text(await Send(Requests.CardPan, 1_000, 1), 39));
        IsoMessage second = await Send(Requests.CardPan, 2_000, 2);
        Assert.Equal("00", Requests.Text(second, 39));
        Assert.Equal("51", Requests.Text(await Send(Requests.CardPan, 60_000, 3), 39));
        Assert.Equal("00", Requests.Text(await Send(Requests.CardPan, 4_000, 4, "TERM0002"), 39));
        Assert.Equal("00", Requests.Text(await Send(Requests.WalletPan, 777, 5), 39));

        // The acquirer reverses its second approval (0420 naming it in DE90); wait until the issuer has answered.
        string de90 = $"0100{2:D6}{Requests.Text(second, 7)}{"12345".PadLeft(11, '0')}{new string('0', 11)}";
        terminal.Builder.Reset(Mti.ReversalAdvice).SetString(2, Requests.CardPan).SetNumber(3, 0).SetNumber(4, 2_000)
            .SetString(7, DateTime.UtcNow.ToString("MMddHHmmss")).SetNumber(11, 6).SetString(32, "12345").SetString(37, "RRN000000002")
            .SetString(41, "TERM0001").SetString(42, "MERCHANT0000001").SetString(49, "978").SetString(90, de90);
        await terminal.SendAsync();
        Assert.Equal("00", Requests.Text((await terminal.ReceiveAsync())!, 39));
        await WaitUntilAsync(() => Reconcile(journal).ReversalsOwed.Count == 0 && sw.Card.Ledger.ReversedCount == 1, "the acquirer's reversal to be answered");

        // The issuer goes silent: the next request times out (91) and its reversal stays owed while the issuer is silent.
        sw.Card.SetFault(FaultMode.Silent);
        Assert.Equal("91", Requests.Text(await Send(Requests.CardPan, 8_000, 7), 39));
        (int exit, string output) = await Journal("report", "--dir", journal, "--json");
        Assert.Equal(0, exit);
        JsonElement owed = JsonDocument.Parse(output).RootElement.GetProperty("reconciliation").GetProperty("reversalsOwed");
        Assert.Equal(1, owed.GetProperty("count").GetInt32());
        Assert.Equal(8_000, owed.GetProperty("unknownOutcomeAmountMinor").GetInt64());
        JsonElement item = owed.GetProperty("items")[0];
        Assert.Equal("Timeout", item.GetProperty("reason").GetString());
        Assert.Equal(7, item.GetProperty("acquirerStan").GetInt32());
        Assert.Equal("476173******0010", item.GetProperty("maskedPan").GetString());
        (exit, output) = await Journal("report", "--config", config);
        Assert.Equal(0, exit);
        Assert.Contains("reversals owed: 1, amount 8,000", output);
        Assert.Contains("unknown outcome (timeout, recovery): 1, amount 8,000", output);

        sw.Card.SetFault(FaultMode.None);
        await WaitUntilAsync(() => Reconcile(journal).ReversalsOwed.Count == 0, "the timeout's reversal to be answered");

        // verify: beside the running switch (it holds the write lock), clean.
        (exit, output) = await Journal("verify", "--config", config);
        Assert.True(exit == 0, output);
        Assert.Contains("result: CLEAN", output);
        Assert.Contains("Forwarded 6, Outcome 6, ReversalRequested 1, ReversalCompleted 2", output);
        Assert.Contains("payloads   all 15 decode", output);

        // dump: every record, card numbers masked only.
        (exit, output) = await Journal("dump", "--dir", journal);
        Assert.Equal(0, exit);
        Assert.Equal(15, Lines(output).Length);
        Assert.Contains("pan=476173******0010", output);
        Assert.Contains("pan=627000******7897", output);
        foreach (string pan in ClearCardNumbers) Assert.DoesNotContain(pan, output);

        // --rrn follows one transaction through its Forwarded, Outcome, ReversalRequested and ReversalCompleted records.
        (exit, output) = await Journal("dump", "--config", config, "--rrn", "RRN000000002");
        Assert.Equal(0, exit);
        string[] reversed = Lines(output);
        Assert.Equal(4, reversed.Length);
        string forwardedSequence = reversed[0].Split(' ')[0];
        Assert.Contains(" Forwarded ", reversed[0]);
        Assert.Contains($" Outcome of={forwardedSequence} outcome=IssuerAnswered rc=00", reversed[1]);
        Assert.Contains($" ReversalRequested of={forwardedSequence} ", reversed[2]);
        Assert.Contains($" ReversalCompleted of={forwardedSequence} rc=00", reversed[3]);

        (exit, output) = await Journal("dump", "--dir", journal, "--terminal", "TERM0002");
        Assert.Equal(0, exit);
        Assert.Equal(2, Lines(output).Length);
        Assert.All(Lines(output), l => Assert.Contains(l.Contains("Forwarded") ? "terminal=TERM0002" : "Outcome", l));

        (exit, output) = await Journal("dump", "--dir", journal, "--type", "outcome", "--json");
        Assert.Equal(0, exit);
        JsonElement[] outcomes = [.. Lines(output).Select(l => JsonDocument.Parse(l).RootElement)];
        Assert.Equal(6, outcomes.Length);
        Assert.All(outcomes, o => Assert.Equal("outcome", o.GetProperty("type").GetString()));
        Assert.Equal(["00", "00", "51", "00", "00", "91"], outcomes.Select(o => o.GetProperty("responseCode").GetString()));

        (exit, output) = await Journal("dump", "--dir", journal, "--type", "reversal");
        Assert.Equal(0, exit);
        Assert.Equal(3, Lines(output).Length);

        (exit, output) = await Journal("dump", "--dir", journal, "--from", DateTime.UtcNow.AddHours(1).ToString("O"));
        Assert.Equal(0, exit);
        Assert.Empty(Lines(output));
        (exit, output) = await Journal("dump", "--dir", journal, "--to", "2000-01-01");
        Assert.Empty(Lines(output));

        // report: net of reversals, timeouts not approved, per issuer equal to each issuer's own ledger.
        (exit, output) = await Journal("report", "--config", config, "--json");
        Assert.Equal(0, exit);
        JsonElement root = JsonDocument.Parse(output).RootElement;
        Assert.True(root.GetProperty("journal").GetProperty("clean").GetBoolean());
        JsonElement r = root.GetProperty("reconciliation");
        JsonElement totals = r.GetProperty("totals");
        Assert.Equal(6, totals.GetProperty("forwardedCount").GetInt64());
        Assert.Equal(1_000 + 2_000 + 4_000 + 777, totals.GetProperty("approvedAmountMinor").GetInt64());
        Assert.Equal(2_000, totals.GetProperty("reversedAmountMinor").GetInt64());
        Assert.Equal(1_000 + 4_000 + 777, totals.GetProperty("netApprovedAmountMinor").GetInt64());
        Assert.Equal(60_000, totals.GetProperty("declinedAmountMinor").GetInt64());
        Assert.Equal(8_000, totals.GetProperty("timedOutAmountMinor").GetInt64());
        Assert.Equal(0, totals.GetProperty("reversalsOwedCount").GetInt64());
        Dictionary<string, long> netByIssuer = r.GetProperty("byIssuer").EnumerateArray()
            .ToDictionary(l => l.GetProperty("key").GetString()!, l => l.GetProperty("totals").GetProperty("netApprovedAmountMinor").GetInt64());
        Assert.Equal(sw.Card.Ledger.NetApprovedAmountMinor, netByIssuer["card-sim"]);
        Assert.Equal(sw.Wallet.Ledger.NetApprovedAmountMinor, netByIssuer["wallet-sim"]);
        Assert.Equal(["00", "51", "91"], r.GetProperty("byResponseCode").EnumerateArray().Select(l => l.GetProperty("key").GetString()));
        foreach (string pan in ClearCardNumbers) Assert.DoesNotContain(pan, output);

        (exit, output) = await Journal("report", "--dir", journal);
        Assert.Equal(0, exit);
        Assert.Contains("reversals owed: none; advices owed: none", output);
        Assert.Contains("anomalies: none", output);
        // forwarded, amount, approved, amount, stand-in, amount, reversed, amount, net, net amount, declined, timed out, no outcome, owed, amount, advices
        Assert.Matches(@"all\s+6\s+75,777\s+4\s+7,777\s+0\s+0\s+1\s+2,000\s+3\s+5,777\s+1\s+1\s+0\s+0\s+0\s+0", output);

        (exit, output) = await Journal("report", "--dir", journal, "--from", DateTime.UtcNow.AddHours(1).ToString("O"), "--json");
        Assert.Equal(0, exit);
        Assert.Equal(0, JsonDocument.Parse(output).RootElement.GetProperty("reconciliation").GetProperty("totals").GetProperty("forwardedCount").GetInt64());
    }

    [Fact]
    public async Task Bad_arguments_and_directories_that_are_not_journals_exit_2_with_a_clear_message()
    {
        string empty = Directory.CreateTempSubdirectory("ps-notjournal-").FullName;
        (string[] Args, string Message)[] cases =
        [
            ([], "usage: PaymentSwitch journal verify"),
            (["frobnicate", "--dir", empty], "'frobnicate' is not a journal verb"),
            (["verify"], "exactly one of --dir DIR or --config FILE"),
            (["verify", "--dir", empty, "--config", "x.json"], "exactly one of"),
            (["verify", "--dir", Path.Combine(empty, "missing")], "does not exist"),
            (["verify", "--dir", empty], "holds no journal segments"),
            (["verify", "--dir", empty, "--rrn", "1"], "unknown option --rrn for 'journal verify'"),
            (["dump", "--dir", empty, "--type", "bogus"], "--type 'bogus' is not one of forwarded, outcome, reversal"),
            (["report", "--dir", empty, "--from", "yesterday"], "--from 'yesterday' is not an ISO 8601 date or time"),
            (["report", "--dir", empty, "--from", "2025-06-02", "--to", "2025-06-01"], "must be after --from"),
            (["report", "--config", Path.Combine(empty, "missing.json")], "missing.json' not found"),
            (["dump", "--segment", Path.Combine(empty, "00000000000000000001.wal")], "does not exist"),
            (["dump", "--dir", empty, "--Journal:Directory=x"], "only apply with --config"),
        ];
        foreach ((string[] args, string message) in cases)
        {
            (int exit, string output) = await Journal(args);
            Assert.True(exit == 2, $"journal {string.Join(' ', args)} → exit {exit}:\n{output}");
            Assert.Contains(message, output);
        }
        Directory.Delete(empty, recursive: true);
    }

    [Fact]
    public async Task A_torn_tail_is_cut_and_logged_on_start_and_the_switch_carries_on()
    {
        HostedSwitch host = HostedSwitch.Create();
        await host.AuthoriseThenCrashAsync(3);

        // Cut the last record in the middle of its payload, as a crash during its write would.
        List<RecordPlace> records = RecordPlace.ReadAll(host.Journal);
        RecordPlace last = records[^1];
        using (var file = new FileStream(Path.Combine(host.Journal, last.Segment), FileMode.Open, FileAccess.Write))
            file.SetLength(last.Offset + 28 + (last.PayloadBytes / 2));
        RecoveryReport predicted = JournalScanner.Verify(host.Journal);
        Assert.True(predicted.TornTailBytesCut > 0, predicted.ToString());

        (int exit, string output) = await Journal("verify", "--dir", host.Journal);
        Assert.Equal(1, exit);
        Assert.Contains($"{last.Segment} at offset {last.Offset:N0}", output);
        Assert.Contains("what to do: nothing. A crash interrupted the last write", output);

        await using (SwitchProcess second = SwitchProcess.Start("--config", host.Config))
        {
            Assert.True(await second.WaitForOutputAsync("signed on", 60_000), second.Output);
            Assert.True(await second.WaitForOutputAsync(SwitchProcess.AcquirerListening, 60_000), second.Output);
            Assert.Contains($"Journal recovery cut a torn tail of {predicted.TornTailBytesCut} bytes", second.Output);
            await host.AuthoriseAsync(1, firstStan: 100);
            second.Terminate();
            Assert.Equal(0, await second.WaitForExitAsync(60_000));
        }

        (exit, output) = await Journal("verify", "--dir", host.Journal);
        Assert.True(exit == 0, output);
        (exit, output) = await Journal("dump", "--dir", host.Journal, "--type", "forwarded");
        Assert.Equal(0, exit);
        Assert.Equal(4, Lines(output).Length); // the three from before the crash and the one after
        host.Delete();
    }

    [Fact]
    public async Task Report_leaves_out_the_records_past_a_torn_last_write_as_the_switch_cuts_them_at_start()
    {
        HostedSwitch host = HostedSwitch.Create();
        await host.AuthoriseThenCrashAsync(8);

        (List<RecordPlace> records, int pastHole) = PunchTornWriteHole(host.Journal);
        Assert.Equal(JournalDamageResolution.TailCut, Assert.Single(JournalScanner.Verify(host.Journal).Damages).Resolution);
        ReconciliationReport everythingReadable = Reconcile(host.Journal);

        (int exit, string json, string output) = await SwitchProcess.RunCapturedAsync(120_000, "journal", "report", "--dir", host.Journal, "--json");
        Assert.Equal(1, exit); // damaged: the figures are what the switch will keep
        Assert.Contains("journal report: the journal is damaged", output);
        JsonElement root = JsonDocument.Parse(json).RootElement;
        Assert.Equal(pastHole, root.GetProperty("journal").GetProperty("recordsPastTornWrite").GetInt64());
        JsonElement before = root.GetProperty("reconciliation").GetProperty("totals");
        Assert.True(before.GetProperty("approvedAmountMinor").GetInt64() < everythingReadable.Totals.ApprovedAmountMinor,
            "the approvals past the hole must not be counted");
        (exit, output) = await Journal("report", "--dir", host.Journal);
        Assert.Equal(1, exit);
        Assert.Contains($"not counted: {pastHole} record(s) past a torn last write", output);

        // The switch cuts exactly those records: after its start the journal is clean and reports the same.
        await using (SwitchProcess second = SwitchProcess.Start("--config", host.Config))
        {
            Assert.True(await second.WaitForOutputAsync("signed on", 60_000), second.Output);
            Assert.True(await second.WaitForOutputAsync(SwitchProcess.AcquirerListening, 60_000), second.Output);
            second.Terminate();
            Assert.Equal(0, await second.WaitForExitAsync(60_000));
        }

        (exit, output) = await Journal("report", "--dir", host.Journal, "--json");
        Assert.True(exit == 0, output);
        root = JsonDocument.Parse(output).RootElement;
        Assert.Equal(0, root.GetProperty("journal").GetProperty("recordsPastTornWrite").GetInt64());
        JsonElement after = root.GetProperty("reconciliation").GetProperty("totals");
        Assert.Equal(before.GetProperty("forwardedCount").GetInt64(), after.GetProperty("forwardedCount").GetInt64());
        Assert.Equal(before.GetProperty("approvedAmountMinor").GetInt64(), after.GetProperty("approvedAmountMinor").GetInt64());
        host.Delete();
    }

    [Fact]
    public async Task Verify_judges_a_hole_by_the_mode_the_journal_was_written_in_as_the_switch_does()
    {
        HostedSwitch host = HostedSwitch.Create();
        await using (SwitchProcess first = SwitchProcess.Start("--config", host.Config, "--Journal:Durability=batched"))
        {
            Assert.True(await first.WaitForOutputAsync("signed on", 60_000), first.Output);
            Assert.True(await first.WaitForOutputAsync(SwitchProcess.AcquirerListening, 60_000), first.Output);
            await host.AuthoriseAsync(8);
            first.Terminate(); // batched: the clean stop syncs what the window still held
            Assert.Equal(0, await first.WaitForExitAsync(60_000));
        }
        PunchTornWriteHole(host.Journal);

        // Written batched (appends acknowledged before they were durable): a hole before valid records proves nothing,
        // so the switch refuses to start, and verify through the config says so.
        (int exit, string output) = await SwitchProcess.RunAsync(120_000, "--config", host.Config, "--Journal:Durability=batched");
        Assert.NotEqual(0, exit);
        Assert.Contains("cannot be opened", output);
        (exit, output) = await Journal("verify", "--config", host.Config, "--Journal:Durability=batched");
        Assert.Equal(1, exit);
        Assert.Contains("judged as  a batched journal (Journal:Durability of", output);
        Assert.Contains("result: DAMAGED — the switch will NOT start on this journal", output);
        (exit, output) = await Journal("verify", "--dir", host.Journal, "--durability", "batched");
        Assert.Equal(1, exit);
        Assert.Contains("judged as  a batched journal (--durability)", output);
        Assert.Contains("the switch will NOT start", output);

        // Judged as strict (the default with --dir), the same bytes are a torn last write the switch would cut.
        (exit, output) = await Journal("verify", "--dir", host.Journal);
        Assert.Equal(1, exit);
        Assert.Contains("judged as  a strict journal (the switch's default)", output);
        Assert.Contains("torn last write", output);
        Assert.DoesNotContain("will NOT start", output);

        foreach ((string[] args, string message) in new (string[], string)[]
        {
            (["verify", "--config", host.Config, "--durability", "strict"], "--durability is for --dir"),
            (["verify", "--dir", host.Journal, "--durability", "eventual"], "--durability 'eventual' is not one of strict, batched, none"),
            (["report", "--config", host.Config, "--Journal:Durability=Batched"], "Journal:Durability 'Batched' is not a mode (strict, batched or none)"),
            (["dump", "--segment", Path.Combine(host.Journal, RecordPlace.ReadAll(host.Journal)[0].Segment), "--durability", "batched"], "--durability is for --dir"),
        })
        {
            (exit, output) = await Journal(args);
            Assert.True(exit == 2, $"journal {string.Join(' ', args)} → exit {exit}:\n{output}");
            Assert.Contains(message, output);
        }
        host.Delete();
    }

    [Fact]
    public async Task A_flipped_bit_mid_segment_stops_the_start_naming_the_file_and_quarantine_lets_it_start()
    {
        HostedSwitch host = HostedSwitch.Create();
        await using (SwitchProcess first = SwitchProcess.Start("--config", host.Config))
        {
            Assert.True(await first.WaitForOutputAsync("signed on", 60_000), first.Output);
            Assert.True(await first.WaitForOutputAsync(SwitchProcess.AcquirerListening, 60_000), first.Output);
            await host.AuthoriseAsync(5);
            first.Terminate();
            Assert.Equal(0, await first.WaitForExitAsync(60_000));
        }

        List<RecordPlace> records = RecordPlace.ReadAll(host.Journal);
        RecordPlace middle = records[records.Count / 2];
        string segment = Path.Combine(host.Journal, middle.Segment);
        byte[] bytes = await File.ReadAllBytesAsync(segment);
        bytes[middle.Offset + 28 + 1] ^= 0x10; // one bit of the payload
        await File.WriteAllBytesAsync(segment, bytes);

        (int exit, string output) = await SwitchProcess.RunAsync(120_000, "--config", host.Config);
        Assert.NotEqual(0, exit);
        Assert.Contains($"segment {middle.Segment} at offset {middle.Offset}", output);
        Assert.Contains("ChecksumMismatch", output);
        Assert.Contains("journal verify", output);
        Assert.Contains("QuarantineDamagedSegments", output);

        (exit, output) = await Journal("verify", "--config", host.Config);
        Assert.Equal(1, exit);
        Assert.Contains($"{middle.Segment} at offset {middle.Offset:N0} (sequence {middle.Sequence}): ChecksumMismatch", output);
        Assert.Contains("result: DAMAGED — the switch will NOT start on this journal", output);
        Assert.Contains("--Journal:QuarantineDamagedSegments=true", output);
        (exit, output) = await Journal("verify", "--config", host.Config, "--Journal:QuarantineDamagedSegments=true");
        Assert.Equal(1, exit); // judged as that configuration would start: the segment moves to quarantine/
        Assert.Contains("with Journal:QuarantineDamagedSegments on", output);
        Assert.Contains("the segment is moved to quarantine/ on start", output);
        Assert.DoesNotContain("will NOT start", output);
        (exit, output) = await Journal("report", "--config", host.Config, "--Journal:QuarantineDamagedSegments=true");
        Assert.Equal(1, exit);
        Assert.Contains("counted: the readable records of 1 damaged segment(s) the switch moves to quarantine/ on start", output);

        (exit, output) = await Journal("dump", "--dir", host.Journal);
        Assert.Equal(1, exit);
        Assert.Equal(records.Count - 1, Lines(output).Length); // every readable record, and the damage said on stderr
        Assert.Contains("the journal is damaged", output);

        await using (SwitchProcess quarantined = SwitchProcess.Start("--config", host.Config, "--Journal:QuarantineDamagedSegments=true"))
        {
            Assert.True(await quarantined.WaitForOutputAsync("signed on", 60_000), quarantined.Output);
            Assert.True(await quarantined.WaitForOutputAsync(SwitchProcess.AcquirerListening, 60_000), quarantined.Output);
            Assert.Contains($"Quarantined: ChecksumMismatch in {middle.Segment}", quarantined.Output);
            await host.AuthoriseAsync(1, firstStan: 100);
            quarantined.Terminate();
            Assert.Equal(0, await quarantined.WaitForExitAsync(60_000));
        }

        string moved = Path.Combine(host.Journal, "quarantine", middle.Segment);
        Assert.True(File.Exists(moved));
        (exit, output) = await Journal("dump", "--segment", moved, "--type", "forwarded");
        Assert.Equal(1, exit);
        Assert.Contains("pan=476173******0010", output);
        (exit, output) = await Journal("verify", "--dir", host.Journal);
        Assert.True(exit == 0, output);
        Assert.Contains("quarantine/ holds 1 segment file(s)", output);
        host.Delete();
    }

    /// <summary>
    /// What a power cut can leave of the last write: the end persisted, a part before it not. Zeroes two never-written
    /// sectors from the start of a record near the end, with readable records (higher sequences) after them. Returns
    /// the records before the damage and how many readable ones follow the hole.
    /// </summary>
    private static (List<RecordPlace> Records, int PastHole) PunchTornWriteHole(string journal)
    {
        List<RecordPlace> records = RecordPlace.ReadAll(journal);
        static long HoleEnd(RecordPlace r) => ((r.Offset / 512) + 2) * 512; // to the end of the first whole sector after it
        RecordPlace victim = records.Last(r => HoleEnd(r) <= records[^3].Offset); // at least three readable records after
        long holeEnd = HoleEnd(victim);
        using (var file = new FileStream(Path.Combine(journal, victim.Segment), FileMode.Open, FileAccess.Write))
        {
            file.Position = victim.Offset;
            file.Write(new byte[holeEnd - victim.Offset]);
        }
        int pastHole = records.Count(r => r.Segment == victim.Segment && r.Offset >= holeEnd);
        Assert.True(pastHole >= 3 && victim.Segment == records[^1].Segment, "readable records must follow the hole in the last segment");
        return (records, pastHole);
    }

    private static ReconciliationReport Reconcile(string journal)
    {
        var builder = new ReconciliationBuilder();
        JournalScanner.Scan(journal, builder);
        return builder.Build();
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what, int timeoutMs = 30_000)
    {
        DateTime deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("timed out waiting for " + what);
            await Task.Delay(50);
        }
    }

    /// <summary>Where a record sits in its segment file.</summary>
    private sealed record RecordPlace(long Sequence, string Segment, int Offset, int PayloadBytes)
    {
        public static List<RecordPlace> ReadAll(string journal)
        {
            var collector = new Collector();
            JournalScanner.Scan(journal, collector);
            Assert.NotEmpty(collector.Records);
            return collector.Records;
        }

        private sealed class Collector : IJournalReplayHandler
        {
            public List<RecordPlace> Records { get; } = [];

            public void OnRecord(in JournalRecord record) =>
                Records.Add(new RecordPlace(record.Sequence, record.SegmentFile, (int)record.OffsetBytes, record.Payload.Length));
        }
    }

    /// <summary>A switch configuration in a temporary folder with the simulators embedded, for process tests.</summary>
    private sealed class HostedSwitch
    {
        private HostedSwitch(string directory, int acquirerPort)
        {
            Directory = directory;
            AcquirerPort = acquirerPort;
        }

        public string Directory { get; }
        public int AcquirerPort { get; }
        public string Config => Path.Combine(Directory, "switch.json");
        public string Journal => Path.Combine(Directory, "journal");

        public static HostedSwitch Create()
        {
            string dir = System.IO.Directory.CreateTempSubdirectory("ps-journal-verb-").FullName;
            int acquirer = SwitchProcess.FreePort(), status = SwitchProcess.FreePort(), card = SwitchProcess.FreePort(), wallet = SwitchProcess.FreePort();
            File.WriteAllText(Path.Combine(dir, "routes.json"), """[ { "Prefix": "476173", "Issuer": "card-sim" }, { "Prefix": "627", "Issuer": "wallet-sim" } ]""");
            File.WriteAllText(Path.Combine(dir, "switch.json"), $$"""
                {
                  "Acquirers": [ { "Name": "pos", "Listen": "127.0.0.1:{{acquirer}}" } ],
                  "Issuers": [
                    { "Id": "card-sim", "Kind": "card", "Endpoints": [ "127.0.0.1:{{card}}" ], "Connections": 2, "TimeoutMs": 2000 },
                    { "Id": "wallet-sim", "Kind": "wallet", "BaseUrl": "http://127.0.0.1:{{wallet}}", "TimeoutMs": 2000 }
                  ],
                  "Routes": { "File": "routes.json" },
                  "Dialects": "{{RunningSwitch.DialectDirectory.Replace("\\", "/")}}",
                  "Journal": { "Directory": "journal", "MinFreeBytes": 0 },
                  "Status": { "Listen": "127.0.0.1:{{status}}" },
                  "Simulators": { "Embedded": true, "CardListen": "127.0.0.1:{{card}}", "WalletListen": "127.0.0.1:{{wallet}}" }
                }
                """);
            return new HostedSwitch(dir, acquirer);
        }

        /// <summary>Starts the switch on this configuration, authorises <paramref name="count"/>, then kills it (SIGKILL), as a crash would.</summary>
        public async Task AuthoriseThenCrashAsync(int count)
        {
            await using SwitchProcess process = SwitchProcess.Start("--config", Config);
            Assert.True(await process.WaitForOutputAsync("signed on", 60_000), process.Output);
            Assert.True(await process.WaitForOutputAsync(SwitchProcess.AcquirerListening, 60_000), process.Output);
            await AuthoriseAsync(count);
            process.KillHard();
            await process.WaitForExitAsync(20_000);
        }

        /// <summary>Sends <paramref name="count"/> card authorisations one after another; each must be approved.</summary>
        public async Task AuthoriseAsync(int count, int firstStan = 1)
        {
            await using TestTerminal terminal = await TestTerminal.ConnectAsync(new IPEndPoint(IPAddress.Loopback, AcquirerPort), RunningSwitch.Ascii);
            for (int i = 0; i < count; i++)
            {
                Requests.Authorisation(terminal.Builder, Requests.CardPan, 1_000 + i, firstStan + i);
                await terminal.SendAsync();
                IsoMessage? reply = await terminal.ReceiveAsync();
                Assert.NotNull(reply);
                Assert.Equal("00", Requests.Text(reply, 39));
            }
        }

        public void Delete()
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
                // best effort
            }
        }
    }
}
