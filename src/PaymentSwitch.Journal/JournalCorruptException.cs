namespace PaymentSwitch.Journal;

/// <summary>
/// <see cref="WriteAheadJournal.Open"/> found damage that is not a torn tail (a bad record followed by valid records,
/// damage in a segment that is not the last, a bad segment header, or a missing segment) and refuses to open rather
/// than drop records that may have been reported durable. The message names the segment file, the offset and the
/// sequence, and what the operator can do.
/// </summary>
public sealed class JournalCorruptException : IOException
{
    /// <summary>Creates the exception.</summary>
    public JournalCorruptException(string message, JournalDamage damage, RecoveryReport report)
        : base(message)
    {
        Damage = damage;
        Report = report;
    }

    /// <summary>The damage that stopped the open.</summary>
    public JournalDamage Damage { get; }

    /// <summary>Everything the scan found (all damage, not only the first).</summary>
    public RecoveryReport Report { get; }

    /// <summary>Segment file name (without directory) that holds the damage.</summary>
    public string SegmentFile => Damage.SegmentFile;

    /// <summary>Byte offset of the damage inside <see cref="SegmentFile"/>.</summary>
    public long OffsetBytes => Damage.OffsetBytes;

    /// <summary>Sequence number expected at the damaged position.</summary>
    public long Sequence => Damage.ExpectedSequence;
}
