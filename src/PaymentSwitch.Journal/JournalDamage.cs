namespace PaymentSwitch.Journal;

/// <summary>One damaged place found by the recovery scan or the <see cref="JournalScanner"/>.</summary>
/// <param name="SegmentFile">Segment file name (without directory).</param>
/// <param name="OffsetBytes">Byte offset of the damage in the file.</param>
/// <param name="ExpectedSequence">Sequence number that was expected at that position.</param>
/// <param name="Kind">What is wrong.</param>
/// <param name="Resolution">What Open does (or would do) about it.</param>
/// <param name="BytesAffected">Bytes cut, skipped or quarantined (for a missing segment: 0).</param>
/// <param name="Description">One line for the operator, including what to do.</param>
public sealed record JournalDamage(
    string SegmentFile,
    long OffsetBytes,
    long ExpectedSequence,
    JournalDamageKind Kind,
    JournalDamageResolution Resolution,
    long BytesAffected,
    string Description)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Resolution}: {Kind} in {SegmentFile} at offset {OffsetBytes} (sequence {ExpectedSequence}), {BytesAffected} bytes: {Description}";
}
