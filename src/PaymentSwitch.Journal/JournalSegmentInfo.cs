namespace PaymentSwitch.Journal;

/// <summary>One segment file as the scan saw it.</summary>
/// <param name="FileName">File name without directory, e.g. <c>00000000000000000001.wal</c>.</param>
/// <param name="FirstSequence">First sequence of the segment (from its name; from its header when valid they agree).</param>
/// <param name="RecordCount">Valid records from the start of the segment up to the first damage or the end of data.</param>
/// <param name="LastSequence">Sequence of the last of those records, or <c>FirstSequence - 1</c> when none.</param>
/// <param name="LastTimestampUnixMs">Timestamp of that record, or the segment creation time when none (0 when unknown).</param>
/// <param name="FileLengthBytes">Length of the file (preallocated length, not data length).</param>
/// <param name="DataEndOffsetBytes">Offset just after the last valid record of that run.</param>
/// <param name="IsDamaged">True when any damage was found in the segment.</param>
public sealed record JournalSegmentInfo(
    string FileName,
    long FirstSequence,
    long RecordCount,
    long LastSequence,
    long LastTimestampUnixMs,
    long FileLengthBytes,
    long DataEndOffsetBytes,
    bool IsDamaged);
