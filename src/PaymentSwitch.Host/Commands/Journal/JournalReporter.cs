using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using PaymentSwitch.Core.Durability;
using PaymentSwitch.Journal;

namespace PaymentSwitch.Host.Commands.Journal;

/// <summary>
/// <c>journal report</c>: the switch's reconciliation figures from the journal (<see cref="ReconciliationBuilder"/>),
/// as tables or as JSON (<c>{"journal": {...}, "reconciliation": {...}}</c>, camelCase). Exit 1 when the journal is
/// damaged or holds unreadable records: the figures then cover only what could be read. Records past a torn last
/// write are not counted: the switch's start cuts them (they were never durable, so no approval among them reached an
/// acquirer), and the report says how many there were.
/// </summary>
internal static class JournalReporter
{
    private const int MaxListedOwed = 50;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public static int Run(JournalArguments arguments)
    {
        string directory = arguments.Directory!;
        var builder = new ReconciliationBuilder(arguments.FromUtc, arguments.ToUtc);
        RecoveryReport scan = JournalScanner.ScanKept(directory, builder, arguments.AssumeQuarantine, arguments.Durability);
        ReconciliationReport report = builder.Build();
        bool damaged = scan.Damages.Count > 0 || report.Anomalies.UnreadableRecords > 0;

        if (arguments.Json)
        {
            var document = new
            {
                journal = new
                {
                    directory,
                    segments = scan.Segments.Count,
                    clean = !damaged,
                    damages = scan.Damages.Select(d => d.ToString()).ToArray(),
                    recordsPastTornWrite = scan.RecordsPastTornWrite,
                },
                reconciliation = report,
            };
            Console.Out.WriteLine(JsonSerializer.Serialize(document, Json));
        }
        else
        {
            int toQuarantine = scan.Damages.Count(d => d.Resolution == JournalDamageResolution.Quarantined);
            WriteText(Console.Out, directory, arguments.Source, report, scan.RecordsPastTornWrite, toQuarantine);
        }

        if (!damaged) return JournalCommand.ExitClean;
        Console.Error.WriteLine($"journal report: the journal is damaged ({scan.Damages.Count} damaged place(s), {report.Anomalies.UnreadableRecords} unreadable record(s)); " +
            "the figures cover only the records that could be read. Run `journal verify` to see where and what to do.");
        return JournalCommand.ExitDamaged;
    }

    private static void WriteText(TextWriter w, string directory, string source, ReconciliationReport r, long recordsPastTornWrite, int segmentsToQuarantine)
    {
        w.WriteLine($"journal report: {directory}");
        w.WriteLine($"  source   {source}");
        w.WriteLine(r.RecordsRead == 0
            ? "  records  none"
            : $"  records  {N(r.RecordsRead)} (sequences {N(r.FirstSequence)}..{N(r.LastSequence)}, {Time(r.FirstRecordUtc)} .. {Time(r.LastRecordUtc)})");
        if (recordsPastTornWrite > 0)
        {
            w.WriteLine($"           not counted: {N(recordsPastTornWrite)} record(s) past a torn last write, which the switch cuts at start " +
                "(never durable; kept in quarantine/ when cut)");
        }
        if (segmentsToQuarantine > 0)
        {
            w.WriteLine($"           counted: the readable records of {segmentsToQuarantine} damaged segment(s) the switch moves to quarantine/ on start " +
                "(durable, so their transactions happened; the switch does not replay them: settle what they owe by hand)");
        }
        w.WriteLine($"  period   {(r.FromUtc is null ? "journal start" : Time(r.FromUtc))} .. {(r.ToUtc is null ? "journal end" : Time(r.ToUtc))} " +
            "(transactions selected by the time they were forwarded; outcomes and reversals as of the last record)");
        w.WriteLine("  amounts  in minor units, summed over currencies (see 'by currency'); net approved = the issuer's approvals + stand-in");
        w.WriteLine("           approvals - approvals the acquirer reversed (reversal answered); timed-out and unanswered requests are not approved");
        w.WriteLine();

        WriteTable(w, "totals", [new ReconciliationLine("all", r.Totals)]);
        WriteTable(w, "by issuer", r.ByIssuer);
        WriteTable(w, "by acquirer (DE32)", r.ByAcquirer);
        WriteTable(w, "by MTI", r.ByMti);
        WriteTable(w, "by response code", r.ByResponseCode);
        WriteTable(w, "by currency", r.ByCurrency);
        WriteOwed(w, r.ReversalsOwed, r.AdvicesOwed);
        WriteAnomalies(w, r.Anomalies);
    }

    private static void WriteTable(TextWriter w, string title, IReadOnlyList<ReconciliationLine> lines)
    {
        var table = new JournalTextTable(title, "forwarded", "amount", "approved", "amount", "stand-in", "amount", "reversed", "amount", "net approved",
            "net amount", "declined", "timed out", "no outcome", "rev. owed", "owed amount", "adv. owed");
        foreach (ReconciliationLine line in lines)
        {
            ReconciliationTotals t = line.Totals;
            table.Add(line.Key, N(t.ForwardedCount), N(t.ForwardedAmountMinor), N(t.ApprovedCount), N(t.ApprovedAmountMinor), N(t.StandInApprovedCount),
                N(t.StandInApprovedAmountMinor), N(t.ReversedCount), N(t.ReversedAmountMinor), N(t.NetApprovedCount), N(t.NetApprovedAmountMinor),
                N(t.DeclinedCount), N(t.TimedOutCount), N(t.NoOutcomeCount), N(t.ReversalsOwedCount), N(t.ReversalsOwedAmountMinor), N(t.AdvicesOwedCount));
        }
        table.Write(w, "");
        w.WriteLine();
    }

    private static void WriteOwed(TextWriter w, ReconciliationOwedSummary owed, ReconciliationOwedSummary advices)
    {
        if (owed.Count == 0 && advices.Count == 0)
        {
            w.WriteLine("reversals owed: none; advices owed: none — every issuer's net approved amount should equal the switch's net approved amount above.");
            w.WriteLine();
            return;
        }
        if (owed.Count == 0)
        {
            w.WriteLine("reversals owed: none");
        }
        else
        {
            ReconciliationOwedReversal oldest = owed.Oldest!;
            w.WriteLine($"reversals owed: {N(owed.Count)}, amount {N(owed.AmountMinor)}; oldest #{oldest.ForwardedSequence} ({oldest.Reason}, {oldest.IssuerId}) owed since {Time(oldest.OwedSinceUtc)}");
            w.WriteLine($"  unknown outcome (timeout, recovery): {N(owed.UnknownOutcomeCount)}, amount {N(owed.UnknownOutcomeAmountMinor)} — until the issuer answers them,");
            w.WriteLine("    its net approved amount may be higher than the switch's by up to this much (it may have approved what the switch counts as not approved).");
            w.WriteLine($"  asked by acquirers: {N(owed.AcquirerRequestedCount)}, amount {N(owed.AcquirerRequestedAmountMinor)} — both sides still count these approvals");
            w.WriteLine("    until the issuer answers the reversal.");
            w.WriteLine($"  approvals the acquirer never received: {N(owed.UndeliveredApprovalCount)}, amount {N(owed.UndeliveredApprovalAmountMinor)} — both sides");
            w.WriteLine("    still count these approvals until the issuer answers the reversal.");
            WriteOwedItems(w, owed);
        }
        if (advices.Count == 0)
        {
            w.WriteLine("advices owed: none");
        }
        else
        {
            w.WriteLine($"advices owed (stand-in approvals the issuer has not acknowledged): {N(advices.Count)}, amount {N(advices.AmountMinor)}, oldest since {Time(advices.Oldest!.OwedSinceUtc)}");
            w.WriteLine("  until the issuer answers them, its net approved amount may be lower than the switch's by up to this much.");
            WriteOwedItems(w, advices);
        }
        w.WriteLine();
    }

    private static void WriteOwedItems(TextWriter w, ReconciliationOwedSummary owed)
    {
        var table = new JournalTextTable("forwarded", "reason", "issuer", "acquirer", "terminal", "stan", "de7", "rrn", "mti", "amount", "currency", "card", "owed since");
        foreach (ReconciliationOwedReversal o in owed.Items.Take(MaxListedOwed))
        {
            table.Add("#" + o.ForwardedSequence.ToString(CultureInfo.InvariantCulture), o.Reason.ToString(), o.IssuerId, o.AcquirerId, o.TerminalId,
                o.AcquirerStan.ToString("D6", CultureInfo.InvariantCulture), o.TransmissionTime.ToString("D10", CultureInfo.InvariantCulture), o.AcquirerRrn,
                o.Mti, N(o.AmountMinor), o.Currency, o.MaskedPan, Time(o.OwedSinceUtc));
        }
        table.Write(w, "  ");
        if (owed.Count > MaxListedOwed) w.WriteLine($"  … and {N(owed.Count - MaxListedOwed)} more (--json lists them all)");
    }

    private static void WriteAnomalies(TextWriter w, ReconciliationAnomalies a)
    {
        w.WriteLine($"reversal answers from issuers (DE39): {Codes(a.ReversalAnswerCodes)}; advice answers: {Codes(a.AdviceAnswerCodes)}");
        if (a.IsClean && a.OrphanRecords == 0)
        {
            w.WriteLine("anomalies: none");
            return;
        }
        w.WriteLine("anomalies:");
        if (a.UnreadableRecords > 0) w.WriteLine($"  {N(a.UnreadableRecords)} record(s) do not decode ({N(a.UnknownTypeRecords)} of an unknown type): not counted above. Run `journal verify`.");
        if (a.DuplicateReversalCompletions > 0)
            w.WriteLine($"  {N(a.DuplicateReversalCompletions)} reversal(s) completed more than once (forwarded #{string.Join(", #", a.DuplicateReversalCompletionSequences)}); each is subtracted once.");
        if (a.DuplicateAdviceCompletions > 0) w.WriteLine($"  {N(a.DuplicateAdviceCompletions)} advice(s) completed more than once.");
        if (a.DuplicateOutcomes > 0) w.WriteLine($"  {N(a.DuplicateOutcomes)} second outcome record(s) ignored (the first outcome counts).");
        if (a.OrphanRecords > 0)
            w.WriteLine($"  {N(a.OrphanRecords)} record(s) name a forwarded request not in the journal (normal after retention removed old segments); not counted above.");
    }

    private static string Codes(IReadOnlyDictionary<string, long> codes) =>
        codes.Count == 0 ? "none" : string.Join(", ", codes.Select(kv => $"{kv.Key} ×{N(kv.Value)}"));

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset? time) => time is DateTimeOffset t ? JournalRecordView.FormatTime(t) : "-";
}
