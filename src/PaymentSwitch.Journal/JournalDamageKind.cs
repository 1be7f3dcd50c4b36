namespace PaymentSwitch.Journal;

/// <summary>What is wrong at a damaged position.</summary>
public enum JournalDamageKind
{
    /// <summary>A record's CRC-32C does not match its header and payload.</summary>
    ChecksumMismatch,

    /// <summary>A record header is impossible (length beyond the format limit, reserved bytes not zero, sequence below 1).</summary>
    InvalidRecordHeader,

    /// <summary>A record (or its header) runs past the end of the segment file.</summary>
    TruncatedRecord,

    /// <summary>An all-zero record header is followed by non-zero bytes further in the segment.</summary>
    UnexpectedDataAfterZeros,

    /// <summary>A record with a valid checksum carries a sequence number other than the next one expected.</summary>
    SequenceBreak,

    /// <summary>The segment header is missing, damaged, of an unknown version, or names a first sequence other than the file name.</summary>
    InvalidSegmentHeader,

    /// <summary>The segment file exists but holds nothing (creation interrupted by a crash).</summary>
    IncompleteSegment,

    /// <summary>Consecutive segment files leave a gap in sequence numbers: a segment file is missing.</summary>
    MissingSegment,

    /// <summary>A segment starts at a sequence the previous segment already covers.</summary>
    OverlappingSegment,
}
