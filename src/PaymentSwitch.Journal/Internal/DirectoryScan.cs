namespace PaymentSwitch.Journal.Internal;

/// <summary>A segment file and what recovery decided about it.</summary>
internal sealed class SegmentPlan
{
    public required string Path { get; init; }

    public required SegmentScanResult Scan { get; init; }

    /// <summary>Kept in the journal and replayed (possibly after a tail cut).</summary>
    public bool IsLive { get; set; }

    public bool CutTail { get; set; }

    public bool Quarantine { get; set; }

    public bool RemoveIncomplete { get; set; }

    /// <summary>Sequence the next segment must start with (live segments only).</summary>
    public long EndSequenceExclusive => Scan.NameSequence + Scan.RecordCount;
}

/// <summary>
/// Scans every segment of a journal directory and decides, for each damage, what Open does about it.
/// Shared by <see cref="WriteAheadJournal.Open"/> and <see cref="JournalScanner"/> so both always agree.
/// </summary>
internal sealed class DirectoryScan
{
    public required string Directory { get; init; }

    public List<SegmentPlan> Segments { get; } = [];

    public List<JournalDamage> Damages { get; } = [];

    public List<string> UnknownFiles { get; } = [];

    /// <summary>The first damage that makes Open refuse, or null.</summary>
    public JournalDamage? Blocker { get; private set; }

    public long NextSequence { get; private set; } = 1;

    public long FirstSequence { get; private set; }

    public long LastSequence { get; private set; }

    public long RecordsDelivered { get; private set; }

    /// <summary>The live segment appends continue in, or null when Open must create a new one at <see cref="NextSequence"/>.</summary>
    public SegmentPlan? ActiveSegment { get; private set; }

    /// <summary>The largest single write a journal with <paramref name="options"/> makes in Strict mode, or 0 in another mode (see <see cref="IsPartlyPersistedLastWrite"/>).</summary>
    public static long MaxWriteSpanFor(JournalOptions options) =>
        options.Durability == DurabilityMode.Strict ? options.MaxPendingBytes + (2L * DirectSegmentWriter.BlockBytes) : 0;

    /// <summary>The largest single write of the journal whose last write may be torn (0: holes are never taken for one).</summary>
    public long MaxWriteSpanBytes { get; private init; }

    /// <summary>
    /// With <c>holdLastSegmentTail</c>: the records after damage in the last segment that were not handed over,
    /// because the damage is a torn last write that Open cuts.
    /// </summary>
    public long RecordsPastTornWrite { get; private set; }

    /// <summary>Validates every segment and decides what Open does about each damage.</summary>
    /// <param name="holdLastSegmentTail">
    /// Hold the records found after damage in the last segment until its damage is judged, then hand them over unless
    /// it is a torn last write that Open cuts (then they are only counted). One pass over the bytes, so the decision
    /// and the records handed over come from the same read, even beside a live writer.
    /// </param>
    public static DirectoryScan Run(string directory, bool quarantineDamaged, IJournalReplayHandler? handler, bool deliverAfterDamage, long maxWriteSpanBytes,
        bool holdLastSegmentTail = false)
    {
        var scan = new DirectoryScan { Directory = directory, MaxWriteSpanBytes = maxWriteSpanBytes };
        var segmentFiles = new List<(long Sequence, string Path)>();
        foreach (string path in System.IO.Directory.EnumerateFiles(directory))
        {
            string name = System.IO.Path.GetFileName(path);
            if (JournalFormat.TryParseSegmentFileName(name, out long sequence))
            {
                segmentFiles.Add((sequence, path));
            }
            else if (name is not (JournalFormat.LockFileName or JournalFormat.SpareSegmentFileName or ReplayCheckpoint.FileName or ReplayCheckpoint.TemporaryFileName))
            {
                scan.UnknownFiles.Add(name);
            }
        }

        segmentFiles.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        scan.UnknownFiles.Sort(StringComparer.Ordinal);

        var quarantined = new HashSet<string>(StringComparer.Ordinal);
        string quarantineDirectory = System.IO.Path.Combine(directory, JournalFormat.QuarantineDirectoryName);
        if (System.IO.Directory.Exists(quarantineDirectory))
        {
            foreach (string path in System.IO.Directory.EnumerateFiles(quarantineDirectory))
            {
                quarantined.Add(System.IO.Path.GetFileName(path));
            }
        }

        HeldRecords? held = null;
        for (int i = 0; i < segmentFiles.Count; i++)
        {
            (long sequence, string path) = segmentFiles[i];
            held = holdLastSegmentTail && handler is not null && i == segmentFiles.Count - 1 ? new HeldRecords() : null;
            using SegmentView view = SegmentView.Open(path);
            SegmentScanResult result = SegmentScan.Scan(view.Span, System.IO.Path.GetFileName(path), sequence, handler, continueAfterDamage: true, deliverAfterDamage,
                afterDamageHandler: held);
            scan.RecordsDelivered += result.RecordsDelivered;
            scan.Segments.Add(new SegmentPlan { Path = path, Scan = result });
        }

        scan.Decide(quarantineDamaged, quarantined);
        if (held is not null && handler is not null)
        {
            string last = System.IO.Path.GetFileName(segmentFiles[^1].Path);
            if (scan.Damages.Any(d => d.SegmentFile == last && d.Resolution == JournalDamageResolution.TailCut))
            {
                scan.RecordsPastTornWrite = held.Count;
            }
            else
            {
                scan.RecordsDelivered += held.DeliverTo(handler);
            }
        }

        return scan;
    }

    /// <summary>
    /// Copies of records, kept until it is known whether they are to be handed over. Only the records after the first
    /// damage of the last segment are held, so the segment's size bounds the memory (64 MiB by default): acceptable for
    /// the operator tools that use it, never used by Open.
    /// </summary>
    private sealed class HeldRecords : IJournalReplayHandler
    {
        private readonly List<(long Sequence, byte Type, long TimestampUnixMs, byte[] Payload, string SegmentFile, long OffsetBytes)> _records = [];

        public int Count => _records.Count;

        public void OnRecord(in JournalRecord record) =>
            _records.Add((record.Sequence, record.RecordType, record.TimestampUnixMs, record.Payload.ToArray(), record.SegmentFile, record.OffsetBytes));

        public int DeliverTo(IJournalReplayHandler handler)
        {
            foreach (var r in _records)
            {
                handler.OnRecord(new JournalRecord(r.Sequence, r.Type, r.TimestampUnixMs, r.Payload, r.SegmentFile, r.OffsetBytes));
            }

            return _records.Count;
        }
    }

    private void Decide(bool quarantineDamaged, HashSet<string> quarantinedEarlier)
    {
        long? expected = null;
        long highestQuarantined = 0;
        long liveRecords = 0;
        for (int i = 0; i < Segments.Count; i++)
        {
            SegmentPlan plan = Segments[i];
            SegmentScanResult s = plan.Scan;
            bool isLastFile = i == Segments.Count - 1;

            if (expected is long want && s.NameSequence != want)
            {
                string missingName = JournalFormat.SegmentFileName(want);
                if (s.NameSequence < want)
                {
                    AddDamage(new JournalDamage(s.FileName, 0, want, JournalDamageKind.OverlappingSegment, JournalDamageResolution.RefusesOpen, 0,
                        $"segment starts at sequence {s.NameSequence} but the previous segment already holds sequences up to {want - 1}. " +
                        "Two segments overlap: a file was copied in or renamed by hand. Run `journal verify`, then restore the directory from backup."));
                }
                else if (quarantinedEarlier.Contains(missingName))
                {
                    AddDamage(new JournalDamage(missingName, 0, want, JournalDamageKind.MissingSegment, JournalDamageResolution.GapCoveredByQuarantine, 0,
                        $"sequences {want}..{s.NameSequence - 1} are absent; segment {missingName} was quarantined earlier (see {JournalFormat.QuarantineDirectoryName}/)."));
                }
                else
                {
                    AddDamage(new JournalDamage(missingName, 0, want, JournalDamageKind.MissingSegment, JournalDamageResolution.RefusesOpen, 0,
                        $"segment file {missingName} is missing: sequences {want}..{s.NameSequence - 1} between the previous segment and {s.FileName} are not in the journal. " +
                        "Restore that file from backup or from the archive directory; the journal will not open with a hole in it."));
                }
            }

            if (isLastFile && s.HeaderProblem is not null && s.IsEmptyFile)
            {
                plan.RemoveIncomplete = true;
                AddDamage(new JournalDamage(s.FileName, 0, s.NameSequence, JournalDamageKind.IncompleteSegment, JournalDamageResolution.IncompleteSegmentRemoved, s.FileLengthBytes,
                    "last segment holds no data at all (a crash interrupted its creation); removed."));
                continue;
            }

            if (s.HeaderProblem is null && s.Damages.Count == 0)
            {
                MarkLive(plan, ref expected, ref liveRecords);
                continue;
            }

            bool tornTail = isLastFile
                && s.HeaderProblem is null
                && s.Damages[0].Kind != JournalDamageKind.SequenceBreak
                && (s.ValidRecordAfterDamageOffset < 0 || IsPartlyPersistedLastWrite(s));
            if (tornTail)
            {
                SegmentDamage d = s.Damages[0];
                plan.CutTail = true;
                string what = s.ValidRecordAfterDamageOffset < 0
                    ? $"torn tail after the last complete record (crash during the last write): {d.Detail}; no valid record follows, cut."
                    : $"torn last write (a power cut persisted some of its sectors and not others): {d.Detail}; the {s.RecordsAfterDamage} valid " +
                      $"records after it (sequences {s.ValidRecordAfterDamageSequence}..{s.HighestSequenceSeen}) belong to the same unfinished write, " +
                      $"were never reported durable, and are cut with it (the cut bytes are kept in {JournalFormat.QuarantineDirectoryName}/).";
                AddDamage(new JournalDamage(s.FileName, d.OffsetBytes, d.ExpectedSequence, d.Kind, JournalDamageResolution.TailCut, s.NonZeroEndOffset - d.OffsetBytes, what));
                MarkLive(plan, ref expected, ref liveRecords);
                continue;
            }

            JournalDamageResolution resolution = quarantineDamaged ? JournalDamageResolution.Quarantined : JournalDamageResolution.RefusesOpen;
            string why = !isLastFile
                ? "damage in a segment that is not the last one cannot come from a crash during the last write"
                : s.ValidRecordAfterDamageOffset >= 0
                    ? $"a valid record (sequence {s.ValidRecordAfterDamageSequence} at offset {s.ValidRecordAfterDamageOffset}) follows it, so it is not a torn tail"
                    : "it is not a torn tail";
            string action = quarantineDamaged
                ? $"segment moved to {JournalFormat.QuarantineDirectoryName}/ and its records are NOT replayed ({s.RecordCount} before the damage, {s.RecordsAfterDamage} after it)."
                : "Run `journal verify` to see all damage; restore the segment from backup; or set the QuarantineDamagedSegments option to move it to " +
                  $"{JournalFormat.QuarantineDirectoryName}/ and open without its records.";
            if (s.HeaderProblem is not null)
            {
                AddDamage(new JournalDamage(s.FileName, 0, s.NameSequence, JournalDamageKind.InvalidSegmentHeader, resolution, JournalFormat.SegmentHeaderSize,
                    $"segment header invalid: {s.HeaderProblem}. {action}"));
            }

            foreach (SegmentDamage d in s.Damages)
            {
                AddDamage(new JournalDamage(s.FileName, d.OffsetBytes, d.ExpectedSequence, d.Kind, resolution, d.BytesUntilReadable,
                    $"{d.Detail}; {why}. {action}"));
            }

            if (quarantineDamaged)
            {
                plan.Quarantine = true;
                quarantinedEarlier.Add(s.FileName);
                highestQuarantined = Math.Max(highestQuarantined, Math.Max(s.HighestSequenceSeen, s.NameSequence));
            }
            else
            {
                // Keep checking continuity past a refused segment so the report shows everything.
                expected = Math.Max(plan.EndSequenceExclusive, s.HighestSequenceSeen + 1);
            }
        }

        NextSequence = Math.Max(expected ?? 1, highestQuarantined + 1);
        LastSequence = liveRecords > 0 ? (expected ?? 1) - 1 : 0;
        SegmentPlan? last = Segments.Count > 0 ? Segments[^1] : null;
        ActiveSegment = last is not null && last.IsLive && last.EndSequenceExclusive == NextSequence ? last : null;
    }

    /// <summary>
    /// Damage followed by valid records can still be the last write, torn: a write of several sectors that a power cut
    /// persisted out of order leaves holes of never-written sectors with its later records intact after them. It was
    /// never reported durable (Strict completes appends only when the whole write is durable, and starts no write before
    /// the previous one is), so cutting it loses nothing acknowledged. Told apart from damage to data that was complete
    /// by all of: every hole holds a never-written sector (<see cref="SegmentScan.HoldsUnwrittenSector"/>), every run
    /// of records after a hole continues with a higher sequence than the hole expected, and everything from the block of
    /// the first damage to the last non-zero byte fits in one write of this journal (<see cref="MaxWriteSpanBytes"/>:
    /// its pending buffer plus two blocks; 0 outside Strict, where written records may be reported before they are
    /// durable and a hole proves nothing). A disk that loses acknowledged writes looks the same, so what is cut is kept
    /// in quarantine/ first.
    /// </summary>
    private bool IsPartlyPersistedLastWrite(SegmentScanResult s)
    {
        long writeStart = s.Damages[0].OffsetBytes - (s.Damages[0].OffsetBytes % DirectSegmentWriter.BlockBytes);
        if (s.NonZeroEndOffset - writeStart > MaxWriteSpanBytes)
        {
            return false;
        }

        foreach (SegmentDamage d in s.Damages)
        {
            bool hole = d.ResumedAtSequence != 0; // valid records follow this damage (the last one may be a plain torn tail)
            if (d.Kind == JournalDamageKind.SequenceBreak || (hole && (!d.UnwrittenSector || d.ResumedAtSequence <= d.ExpectedSequence)))
            {
                return false;
            }
        }

        return true;
    }

    private void MarkLive(SegmentPlan plan, ref long? expected, ref long liveRecords)
    {
        plan.IsLive = true;
        expected = plan.EndSequenceExclusive;
        if (plan.Scan.RecordCount > 0 && liveRecords == 0)
        {
            FirstSequence = plan.Scan.NameSequence;
        }

        liveRecords += plan.Scan.RecordCount;
    }

    private void AddDamage(JournalDamage damage)
    {
        Damages.Add(damage);
        if (damage.Resolution == JournalDamageResolution.RefusesOpen && Blocker is null)
        {
            Blocker = damage;
        }
    }

    public RecoveryReport ToReport(bool producedByOpen, long recordsDelivered)
    {
        var segments = new List<JournalSegmentInfo>(Segments.Count);
        foreach (SegmentPlan p in Segments)
        {
            SegmentScanResult s = p.Scan;
            segments.Add(new JournalSegmentInfo(s.FileName, s.NameSequence, s.RecordCount, s.LastSequence, s.LastTimestampUnixMs,
                s.FileLengthBytes, s.DataEndOffset, s.HeaderProblem is not null || s.Damages.Count > 0));
        }

        string? refusal = !producedByOpen && Blocker is not null ? Blocker.ToString() : null;
        return new RecoveryReport(Directory, producedByOpen, segments, [.. Damages], [.. UnknownFiles], recordsDelivered,
            FirstSequence, LastSequence, NextSequence, refusal);
    }
}
