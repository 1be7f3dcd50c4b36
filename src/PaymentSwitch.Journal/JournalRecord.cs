namespace PaymentSwitch.Journal;

/// <summary>A record read back from the journal. A view over the segment bytes, valid only during the handler call.</summary>
public readonly ref struct JournalRecord
{
    internal JournalRecord(long sequence, byte recordType, long timestampUnixMs, ReadOnlySpan<byte> payload, string segmentFile, long offsetBytes)
    {
        Sequence = sequence;
        RecordType = recordType;
        TimestampUnixMs = timestampUnixMs;
        Payload = payload;
        SegmentFile = segmentFile;
        OffsetBytes = offsetBytes;
    }

    /// <summary>Sequence number (1, 2, 3, … without gaps inside a journal).</summary>
    public long Sequence { get; }

    /// <summary>Caller-defined record type byte.</summary>
    public byte RecordType { get; }

    /// <summary>UTC time of the append, Unix milliseconds.</summary>
    public long TimestampUnixMs { get; }

    /// <summary>The payload bytes.</summary>
    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>Segment file name holding the record.</summary>
    public string SegmentFile { get; }

    /// <summary>Offset of the record header in that file.</summary>
    public long OffsetBytes { get; }
}
