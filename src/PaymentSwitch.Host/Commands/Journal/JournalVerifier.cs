using System.Globalization;
using PaymentSwitch.Core.Durability;
using PaymentSwitch.Journal;

namespace PaymentSwitch.Host.Commands.Journal;

/// <summary>
/// <c>journal verify</c>: checks every record's checksum and sequence (<see cref="JournalScanner"/>), and that every
/// payload decodes as its record type; prints a summary, every damaged place with what the switch does about it and
/// what the operator should do, and consistency warnings (a reversal completed twice, a second outcome).
/// Exit 0 when clean, 1 when anything is damaged or unreadable.
/// </summary>
internal sealed class JournalVerifier : IJournalReplayHandler
{
    private const int MaxListedUnreadable = 50;

    private readonly long[] _byType = new long[256];
    private readonly List<JournalRecordView> _unreadable = [];
    private readonly ReconciliationBuilder _consistency = new();
    private long _records;
    private long _unreadableCount;
    private long _firstSequence;
    private long _lastSequence;
    private long _firstUnixMs;
    private long _lastUnixMs;

    public void OnRecord(in JournalRecord record)
    {
        if (_records++ == 0)
        {
            _firstSequence = record.Sequence;
            _firstUnixMs = record.TimestampUnixMs;
        }
        _lastSequence = record.Sequence;
        _lastUnixMs = record.TimestampUnixMs;
        _byType[record.RecordType]++;
        JournalRecordView view = JournalRecordView.Decode(record);
        if (!view.Readable)
        {
            _unreadableCount++;
            if (_unreadable.Count < MaxListedUnreadable) _unreadable.Add(view);
        }
        _consistency.OnRecord(record);
    }

    public static int Run(JournalArguments arguments)
    {
        string directory = arguments.Directory!;
        var verifier = new JournalVerifier();
        RecoveryReport scan = JournalScanner.Scan(directory, verifier, arguments.AssumeQuarantine, arguments.Durability);
        TextWriter w = Console.Out;
        bool damaged = scan.Damages.Count > 0 || verifier._unreadableCount > 0;

        w.WriteLine($"journal verify: {directory}");
        w.WriteLine($"  source     {arguments.Source}");
        w.WriteLine($"  judged as  a {arguments.Durability.ToString().ToLowerInvariant()} journal ({arguments.DurabilitySource})" +
            (arguments.AssumeQuarantine ? ", with Journal:QuarantineDamagedSegments on" : ""));
        verifier.WriteSegments(w, scan);
        verifier.WriteRecords(w, scan);
        verifier.WritePayloads(w);
        WriteDamage(w, scan);
        verifier.WriteConsistency(w);
        WriteNotes(w, scan, directory);
        if (!damaged)
        {
            w.WriteLine("result: CLEAN");
            return JournalCommand.ExitClean;
        }
        w.WriteLine(Blocker(scan) is JournalDamage blocker
            ? $"result: DAMAGED — the switch will NOT start on this journal: {blocker.Kind} in {blocker.SegmentFile} at offset {blocker.OffsetBytes}. See 'what to do' above."
            : "result: DAMAGED — see 'what to do' above.");
        return JournalCommand.ExitDamaged;
    }

    private void WriteSegments(TextWriter w, RecoveryReport scan)
    {
        long allocated = 0, used = 0;
        foreach (JournalSegmentInfo s in scan.Segments)
        {
            allocated += s.FileLengthBytes;
            used += s.DataEndOffsetBytes;
        }
        string range = scan.Segments.Count == 0 ? "" : scan.Segments.Count == 1 ? $": {scan.Segments[0].FileName}" : $": {scan.Segments[0].FileName} .. {scan.Segments[^1].FileName}";
        w.WriteLine($"  segments   {scan.Segments.Count}{range} ({Bytes(used)} of records in {Bytes(allocated)} allocated)");
    }

    private void WriteRecords(TextWriter w, RecoveryReport scan)
    {
        if (_records == 0)
        {
            w.WriteLine($"  records    none (next sequence {N(scan.NextSequence)})");
            return;
        }
        w.WriteLine($"  records    {N(_records)}: sequences {N(_firstSequence)}..{N(_lastSequence)}, " +
            $"{JournalRecordView.FormatTime(DateTimeOffset.FromUnixTimeMilliseconds(_firstUnixMs))} .. {JournalRecordView.FormatTime(DateTimeOffset.FromUnixTimeMilliseconds(_lastUnixMs))}; next sequence {N(scan.NextSequence)}");
        var parts = new List<string>();
        foreach (TransactionRecordType type in Enum.GetValues<TransactionRecordType>())
            parts.Add($"{type} {N(_byType[(byte)type])}");
        long other = _records;
        foreach (TransactionRecordType type in Enum.GetValues<TransactionRecordType>()) other -= _byType[(byte)type];
        if (other > 0) parts.Add($"unknown types {N(other)}");
        w.WriteLine($"  by type    {string.Join(", ", parts)}");
    }

    private void WritePayloads(TextWriter w)
    {
        if (_unreadableCount == 0)
        {
            w.WriteLine($"  payloads   all {N(_records)} decode as their record type");
            return;
        }
        w.WriteLine($"  payloads   {N(_unreadableCount)} record(s) do NOT decode as their type:");
        foreach (JournalRecordView v in _unreadable)
            w.WriteLine($"    #{v.Sequence} {v.TypeName} in {v.SegmentFile} at offset {v.OffsetBytes}, {v.PayloadBytes} payload bytes");
        if (_unreadableCount > _unreadable.Count) w.WriteLine($"    … and {N(_unreadableCount - _unreadable.Count)} more");
        w.WriteLine("    what to do: the checksums are intact, so these were written this way — by another version of the switch, or by a bug.");
        w.WriteLine("    The switch skips them on replay (a reversal they would have owed is not re-queued). Keep a copy of the segment files,");
        w.WriteLine("    check the transactions around them with `journal dump`, and report it.");
    }

    private static void WriteDamage(TextWriter w, RecoveryReport scan)
    {
        if (scan.Damages.Count == 0)
        {
            w.WriteLine("  damage     none");
            return;
        }
        w.WriteLine($"  damage     {scan.Damages.Count} place(s):");
        foreach (JournalDamage d in scan.Damages)
        {
            w.WriteLine($"    {d.SegmentFile} at offset {N(d.OffsetBytes)} (sequence {N(d.ExpectedSequence)}): {d.Kind}, {N(d.BytesAffected)} bytes");
            w.WriteLine($"      found: {d.Description}");
            w.WriteLine($"      what to do: {WhatToDo(d)}");
        }
    }

    private static string WhatToDo(JournalDamage d) => d.Resolution switch
    {
        JournalDamageResolution.TailCut =>
            "nothing. A crash interrupted the last write; the switch cuts these bytes when it starts and nothing acknowledged is lost. " +
            "(If the switch is running now, its last write may just be in progress: run verify again.)",
        JournalDamageResolution.RefusesOpen =>
            $"the switch will not start on this journal. Restore {d.SegmentFile} from a backup or the archive directory; or start the switch once with " +
            "--Journal:QuarantineDamagedSegments=true to move the segment to quarantine/ and start without its records (reversals they owe are then " +
            $"NOT re-queued: inspect them with `journal dump --segment <journal>/quarantine/{d.SegmentFile}`).",
        JournalDamageResolution.IncompleteSegmentRemoved =>
            "nothing. A crash interrupted the creation of this empty segment; the switch removes it when it starts.",
        JournalDamageResolution.GapCoveredByQuarantine =>
            "the records of the quarantined segment are not replayed: check them with `journal dump --segment <journal>/quarantine/FILE` " +
            "and settle any reversal they owe with the issuer by hand.",
        JournalDamageResolution.Quarantined =>
            "the segment is moved to quarantine/ on start and its records are not replayed.",
        _ => "see the description.",
    };

    private void WriteConsistency(TextWriter w)
    {
        ReconciliationAnomalies a = _consistency.Build().Anomalies;
        var warnings = new List<string>();
        if (a.DuplicateReversalCompletions > 0)
            warnings.Add($"{N(a.DuplicateReversalCompletions)} reversal(s) completed more than once (forwarded #{string.Join(", #", a.DuplicateReversalCompletionSequences)}): " +
                "the switch sent a reversal it had already settled; the issuer saw a duplicate. Report it.");
        if (a.DuplicateAdviceCompletions > 0)
            warnings.Add($"{N(a.DuplicateAdviceCompletions)} stand-in advice(s) completed more than once. Report it.");
        if (a.DuplicateOutcomes > 0)
            warnings.Add($"{N(a.DuplicateOutcomes)} forwarded request(s) have more than one outcome record (the first is used). Report it.");
        if (a.OrphanRecords > 0)
            warnings.Add($"{N(a.OrphanRecords)} outcome or reversal record(s) name a forwarded request that is not in the journal " +
                "(normal after retention removed old segments).");
        if (warnings.Count == 0)
        {
            w.WriteLine("  consistency every outcome and reversal belongs to a forwarded request; no reversal completed twice");
            return;
        }
        w.WriteLine("  consistency warnings (the records are intact; the switch should not have written these):");
        foreach (string warning in warnings) w.WriteLine("    " + warning);
    }

    private static void WriteNotes(TextWriter w, RecoveryReport scan, string directory)
    {
        foreach (string file in scan.UnknownFiles)
        {
            w.WriteLine(file == "pan.key"
                ? "  note       pan.key is the card-number key the switch created; in production set PAYMENTSWITCH_Journal__PanKey and keep the key away from the journal."
                : $"  note       {file} is not a journal file (left alone).");
        }
        string quarantine = Path.Combine(directory, "quarantine");
        if (Directory.Exists(quarantine))
        {
            string[] files = Directory.GetFiles(quarantine);
            if (files.Length > 0)
                w.WriteLine($"  note       quarantine/ holds {files.Length} segment file(s) moved aside by an earlier start; their records are not replayed " +
                    "(inspect with `journal dump --segment`).");
        }
    }

    /// <summary>The first damage that makes the switch refuse to start, or null.</summary>
    private static JournalDamage? Blocker(RecoveryReport scan)
    {
        foreach (JournalDamage d in scan.Damages)
            if (d.Resolution == JournalDamageResolution.RefusesOpen) return d;
        return null;
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Bytes(long bytes) => bytes >= 1 << 20
        ? (bytes / (double)(1 << 20)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB"
        : bytes >= 1024 ? (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB" : bytes + " bytes";
}
