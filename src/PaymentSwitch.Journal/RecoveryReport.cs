using System.Text;

namespace PaymentSwitch.Journal;

/// <summary>
/// What the recovery scan of <see cref="WriteAheadJournal.Open"/> (or a read-only <see cref="JournalScanner"/> pass)
/// found and did. Nothing is dropped without appearing here: every cut tail, quarantined or removed segment, skipped
/// range and unknown file is listed.
/// </summary>
public sealed class RecoveryReport
{
    internal RecoveryReport(
        string directory,
        bool producedByOpen,
        IReadOnlyList<JournalSegmentInfo> segments,
        IReadOnlyList<JournalDamage> damages,
        IReadOnlyList<string> unknownFiles,
        long recordsDelivered,
        long firstSequence,
        long lastSequence,
        long nextSequence,
        string? openRefusal)
    {
        Directory = directory;
        ProducedByOpen = producedByOpen;
        Segments = segments;
        Damages = damages;
        UnknownFiles = unknownFiles;
        RecordsDelivered = recordsDelivered;
        FirstSequence = firstSequence;
        LastSequence = lastSequence;
        NextSequence = nextSequence;
        OpenRefusal = openRefusal;
    }

    /// <summary>The journal directory.</summary>
    public string Directory { get; }

    /// <summary>True when produced by <see cref="WriteAheadJournal.Open"/> (actions were applied); false for a read-only scan (actions are what Open would do).</summary>
    public bool ProducedByOpen { get; }

    /// <summary>Segment files in sequence order (including damaged ones).</summary>
    public IReadOnlyList<JournalSegmentInfo> Segments { get; }

    /// <summary>Every damage found, in file order.</summary>
    public IReadOnlyList<JournalDamage> Damages { get; }

    /// <summary>Files in the journal directory that are not journal files (left alone).</summary>
    public IReadOnlyList<string> UnknownFiles { get; }

    /// <summary>Records handed to the replay handler (Open) or to the scan handler (scanner, including readable records after damage).</summary>
    public long RecordsDelivered { get; }

    /// <summary>First sequence in the journal's live segments, or 0 when there is none.</summary>
    public long FirstSequence { get; }

    /// <summary>Last valid sequence in the journal's live segments, or 0 when there is none.</summary>
    public long LastSequence { get; }

    /// <summary>Sequence the next append gets.</summary>
    public long NextSequence { get; }

    /// <summary>Scanner only: why Open would refuse, or null when it would open.</summary>
    public string? OpenRefusal { get; }

    /// <summary>
    /// Open only: the persisted retain point replay started from (records below it were validated, not replayed), or
    /// 0 when every record was replayed.
    /// </summary>
    public long ReplayedFromSequence { get; internal set; }

    /// <summary>Open only: why the persisted retain point was not used (damaged, or beyond the journal's end), or null.</summary>
    public string? ReplayCheckpointProblem { get; internal set; }

    /// <summary>
    /// <see cref="JournalScanner.ScanKept"/> only: readable records past a torn last write that Open cuts, which were
    /// therefore not handed to the handler. 0 elsewhere.
    /// </summary>
    public long RecordsPastTornWrite { get; internal set; }

    /// <summary>Total bytes cut from a torn tail.</summary>
    public long TornTailBytesCut
    {
        get
        {
            long total = 0;
            foreach (JournalDamage d in Damages)
            {
                if (d.Resolution == JournalDamageResolution.TailCut)
                {
                    total += d.BytesAffected;
                }
            }

            return total;
        }
    }

    /// <summary>Segment files moved to <c>quarantine/</c> by this open.</summary>
    public IReadOnlyList<string> QuarantinedSegments
    {
        get
        {
            var list = new List<string>();
            foreach (JournalDamage d in Damages)
            {
                if (d.Resolution == JournalDamageResolution.Quarantined && !list.Contains(d.SegmentFile))
                {
                    list.Add(d.SegmentFile);
                }
            }

            return list;
        }
    }

    /// <summary>True when nothing was damaged, cut, removed or unknown.</summary>
    public bool IsClean => Damages.Count == 0 && UnknownFiles.Count == 0;

    /// <summary>A multi-line summary for logs and the operator.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(ProducedByOpen ? "journal recovery" : "journal scan").Append(" of ").Append(Directory).Append(": ")
          .Append(Segments.Count).Append(" segment(s), ").Append(RecordsDelivered).Append(" record(s) delivered, sequences ")
          .Append(FirstSequence).Append("..").Append(LastSequence).Append(", next ").Append(NextSequence)
          .Append(IsClean ? ", clean" : ", NOT clean");
        if (TornTailBytesCut > 0)
        {
            sb.Append(", torn tail ").Append(TornTailBytesCut).Append(" bytes");
        }

        if (ReplayedFromSequence > 0)
        {
            sb.Append(", replayed from the retain point ").Append(ReplayedFromSequence);
        }

        sb.AppendLine();
        foreach (JournalDamage d in Damages)
        {
            sb.Append("  ").AppendLine(d.ToString());
        }

        foreach (string f in UnknownFiles)
        {
            sb.Append("  unknown file left alone: ").AppendLine(f);
        }

        if (ReplayCheckpointProblem is not null)
        {
            sb.Append("  retain point not used, everything replayed: ").AppendLine(ReplayCheckpointProblem);
        }

        if (OpenRefusal is not null)
        {
            sb.Append("  open would refuse: ").AppendLine(OpenRefusal);
        }

        return sb.ToString();
    }
}
