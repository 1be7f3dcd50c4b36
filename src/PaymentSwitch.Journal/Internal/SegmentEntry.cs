namespace PaymentSwitch.Journal.Internal;

/// <summary>A live segment as known to retention. Fields of a closed segment never change; the active one's are updated by the writer.</summary>
internal sealed class SegmentEntry
{
    public required string Path { get; init; }

    public required long FirstSequence { get; init; }

    /// <summary>When the segment was created (unix ms, from its header): with <see cref="FirstSequence"/>, tells this segment from another journal's.</summary>
    public required long CreatedUnixMs { get; init; }

    public long FileLengthBytes { get; set; }

    /// <summary>Timestamp of the newest record (or the creation time while empty).</summary>
    public long LastTimestampUnixMs { get; set; }
}
