using PaymentSwitch.Journal.Internal;

namespace PaymentSwitch.Journal;

/// <summary>
/// Read-only access to a journal directory for operator tools (<c>journal verify</c>, <c>dump</c>, <c>report</c>):
/// never takes the writer lock, never modifies a file, and reports damage instead of throwing. Safe to run beside a
/// live writer (the active segment's last write may then show as a torn tail).
/// </summary>
public static class JournalScanner
{
    /// <summary>
    /// Validates every segment and returns what <see cref="WriteAheadJournal.Open"/> would find and do;
    /// <see cref="RecoveryReport.OpenRefusal"/> says whether and why it would refuse.
    /// </summary>
    /// <param name="directory">The journal directory.</param>
    /// <param name="assumeQuarantine">Report as if <see cref="JournalOptions.QuarantineDamagedSegments"/> were set.</param>
    /// <param name="durability">
    /// The mode the journal was written in. It decides whether damage followed by valid records can be a torn last
    /// write (only a <see cref="DurabilityMode.Strict"/> journal's holes prove that; see <see cref="WriteAheadJournal.Open"/>).
    /// </param>
    public static RecoveryReport Verify(string directory, bool assumeQuarantine = false, DurabilityMode durability = DurabilityMode.Strict) =>
        Scan(directory, handler: null, assumeQuarantine, durability);

    /// <summary>
    /// Hands every readable record of every segment (including records found after damage, and in segments Open would
    /// refuse or quarantine) to <paramref name="handler"/> in file order, and reports as <see cref="Verify"/> does.
    /// </summary>
    public static RecoveryReport Scan(string directory, IJournalReplayHandler? handler, bool assumeQuarantine = false,
        DurabilityMode durability = DurabilityMode.Strict)
        => ScanDirectory(directory, handler, assumeQuarantine, durability, holdLastSegmentTail: false);

    /// <summary>
    /// Hands <paramref name="handler"/> the records <see cref="WriteAheadJournal.Open"/> would keep, in file order:
    /// as <see cref="Scan"/>, except that the records past a torn last write, which Open cuts, are not handed over
    /// (they were never reported durable: an approval among them never reached the acquirer). They are counted in
    /// <see cref="RecoveryReport.RecordsPastTornWrite"/>. Records after damage that Open refuses are still handed
    /// over, as <see cref="Scan"/> does, so that the operator sees everything readable while the journal is repaired;
    /// so are the records of segments Open would quarantine (they were durable: their transactions happened).
    /// </summary>
    /// <remarks>
    /// One pass: the records after damage in the last segment are copied and held until that damage is judged, so the
    /// decision and the records handed over come from the same read of a live journal.
    /// </remarks>
    public static RecoveryReport ScanKept(string directory, IJournalReplayHandler handler, bool assumeQuarantine = false,
        DurabilityMode durability = DurabilityMode.Strict)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return ScanDirectory(directory, handler, assumeQuarantine, durability, holdLastSegmentTail: true);
    }

    private static RecoveryReport ScanDirectory(string directory, IJournalReplayHandler? handler, bool assumeQuarantine, DurabilityMode durability,
        bool holdLastSegmentTail)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string full = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(full))
        {
            throw new DirectoryNotFoundException($"journal directory '{full}' does not exist");
        }

        long maxWriteSpan = DirectoryScan.MaxWriteSpanFor(new JournalOptions { Durability = durability });
        DirectoryScan scan = DirectoryScan.Run(full, assumeQuarantine, handler, deliverAfterDamage: true, maxWriteSpan, holdLastSegmentTail);
        RecoveryReport report = scan.ToReport(producedByOpen: false, scan.RecordsDelivered);
        report.RecordsPastTornWrite = scan.RecordsPastTornWrite;
        return report;
    }

    /// <summary>
    /// Reads one segment file on its own (for example one moved to <c>quarantine/</c>), handing every readable record
    /// to <paramref name="handler"/>. Damage is listed with resolution <see cref="JournalDamageResolution.SkippedByScanner"/>.
    /// </summary>
    public static RecoveryReport ScanSegmentFile(string path, IJournalReplayHandler? handler)
    {
        string full = Path.GetFullPath(path);
        string name = Path.GetFileName(full);
        if (!JournalFormat.TryParseSegmentFileName(name.Length > 24 ? name[..24] : name, out long firstSequence))
        {
            throw new ArgumentException($"'{name}' is not named like a journal segment (20 digits + .wal)", nameof(path));
        }

        using SegmentView view = SegmentView.Open(full);
        SegmentScanResult s = SegmentScan.Scan(view.Span, name, firstSequence, handler, continueAfterDamage: true, deliverAfterDamage: true);
        var damages = new List<JournalDamage>();
        if (s.HeaderProblem is not null)
        {
            damages.Add(new JournalDamage(name, 0, firstSequence, JournalDamageKind.InvalidSegmentHeader, JournalDamageResolution.SkippedByScanner,
                JournalFormat.SegmentHeaderSize, $"segment header invalid: {s.HeaderProblem}"));
        }

        foreach (SegmentDamage d in s.Damages)
        {
            damages.Add(new JournalDamage(name, d.OffsetBytes, d.ExpectedSequence, d.Kind, JournalDamageResolution.SkippedByScanner, d.BytesUntilReadable, d.Detail));
        }

        var info = new JournalSegmentInfo(name, firstSequence, s.RecordCount, s.LastSequence, s.LastTimestampUnixMs, s.FileLengthBytes, s.DataEndOffset,
            damages.Count > 0);
        return new RecoveryReport(Path.GetDirectoryName(full) ?? "", producedByOpen: false, [info], damages, [], s.RecordsDelivered,
            s.RecordCount > 0 ? firstSequence : 0, s.RecordCount > 0 ? s.LastSequence : 0, Math.Max(s.LastSequence, s.HighestSequenceSeen) + 1, null);
    }
}
