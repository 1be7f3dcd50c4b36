using System.Diagnostics;

namespace PaymentSwitch.Journal.Internal;

/// <summary>One damaged place inside a segment, before a resolution is chosen.</summary>
/// <param name="UnwrittenSector">
/// The damaged bytes hold a disk sector that reads as never written (see <see cref="SegmentScan.HoldsUnwrittenSector"/>):
/// what a write leaves when a power cut persisted some of its sectors and not others.
/// </param>
/// <param name="ResumedAtSequence">Sequence of the first valid record after the damage (0 when none follows).</param>
internal readonly record struct SegmentDamage(
    int OffsetBytes, long ExpectedSequence, JournalDamageKind Kind, string Detail, int BytesUntilReadable, bool UnwrittenSector, long ResumedAtSequence);

/// <summary>What the scan of one segment file found.</summary>
internal sealed class SegmentScanResult
{
    public required string FileName { get; init; }

    public required long NameSequence { get; init; }

    public int FileLengthBytes { get; set; }

    /// <summary>Offset just after the last non-zero byte in the file (0 when the whole file is zero).</summary>
    public int NonZeroEndOffset { get; set; }

    /// <summary>Null when the segment header is valid.</summary>
    public string? HeaderProblem { get; set; }

    public long CreatedUnixMs { get; set; }

    /// <summary>Valid records from the header up to the first damage or the end of data.</summary>
    public long RecordCount { get; set; }

    public long LastSequence { get; set; }

    public long LastTimestampUnixMs { get; set; }

    /// <summary>Offset just after the last record of that run.</summary>
    public int DataEndOffset { get; set; }

    /// <summary>Every damaged place, in file order; the first one ends the run above.</summary>
    public List<SegmentDamage> Damages { get; } = [];

    /// <summary>Offset of the first valid record found after the first damage (-1 when none: the damage is a tail).</summary>
    public int ValidRecordAfterDamageOffset { get; set; } = -1;

    public long ValidRecordAfterDamageSequence { get; set; }

    /// <summary>Highest sequence of any valid record in the file, including after damage (0 when none).</summary>
    public long HighestSequenceSeen { get; set; }

    /// <summary>Valid records found after the first damage.</summary>
    public long RecordsAfterDamage { get; set; }

    public long RecordsDelivered { get; set; }

    public bool IsEmptyFile => NonZeroEndOffset == 0;
}

/// <summary>Walks the records of one segment image, validating each (checksum, header, sequence continuity).</summary>
internal static class SegmentScan
{
    /// <param name="data">The whole segment file.</param>
    /// <param name="fileName">For messages and records.</param>
    /// <param name="nameSequence">First sequence according to the file name.</param>
    /// <param name="handler">Receives valid records of the first run (and later runs when <paramref name="deliverAfterDamage"/>).</param>
    /// <param name="continueAfterDamage">Search on past damage for further valid records (to report them, and to tell a torn tail from damage before the tail).</param>
    /// <param name="deliverAfterDamage">Hand records found after damage to the handler too (scanner/dump).</param>
    /// <param name="deliverFrom">Records below this sequence are validated but not handed to the handler.</param>
    /// <param name="afterDamageHandler">
    /// With <paramref name="deliverAfterDamage"/>: receives the records found after damage instead of
    /// <paramref name="handler"/> (so that a caller can hold them until it knows what the damage is).
    /// </param>
    public static SegmentScanResult Scan(
        ReadOnlySpan<byte> data,
        string fileName,
        long nameSequence,
        IJournalReplayHandler? handler,
        bool continueAfterDamage,
        bool deliverAfterDamage,
        long deliverFrom = 0,
        IJournalReplayHandler? afterDamageHandler = null)
    {
        var result = new SegmentScanResult
        {
            FileName = fileName,
            NameSequence = nameSequence,
            FileLengthBytes = data.Length,
            NonZeroEndOffset = data.LastIndexOfAnyExcept((byte)0) + 1,
        };

        result.HeaderProblem = JournalFormat.ValidateSegmentHeader(data, nameSequence, out long created);
        result.CreatedUnixMs = created;
        result.LastSequence = nameSequence - 1;
        result.LastTimestampUnixMs = created;

        int offset = Math.Min(JournalFormat.SegmentHeaderSize, data.Length);
        result.DataEndOffset = offset;
        long expected = nameSequence;
        bool firstRun = true;

        while (offset < data.Length)
        {
            JournalDamageKind kind;
            string? detail;
            int remaining = data.Length - offset;
            if (remaining < JournalFormat.RecordHeaderSize || data.Slice(offset, JournalFormat.RecordHeaderSize).IndexOfAnyExcept((byte)0) < 0)
            {
                if (offset >= result.NonZeroEndOffset)
                {
                    break; // only zeros from here: the end of the data
                }

                kind = remaining < JournalFormat.RecordHeaderSize ? JournalDamageKind.TruncatedRecord : JournalDamageKind.UnexpectedDataAfterZeros;
                detail = remaining < JournalFormat.RecordHeaderSize
                    ? $"{remaining} non-empty bytes at the end of the file, too short for a record"
                    : "an empty (all-zero) record header is followed by non-zero bytes";
            }
            else
            {
                int size = JournalFormat.TryReadRecord(data, offset, out kind, out detail);
                if (size > 0)
                {
                    ReadOnlySpan<byte> record = data.Slice(offset, size);
                    long sequence = JournalFormat.ReadSequence(record);
                    if (sequence == expected)
                    {
                        long timestamp = JournalFormat.ReadTimestamp(record);
                        IJournalReplayHandler? receiver = firstRun ? handler : deliverAfterDamage ? afterDamageHandler ?? handler : null;
                        if (receiver is not null && sequence >= deliverFrom)
                        {
                            receiver.OnRecord(new JournalRecord(sequence, record[24], timestamp, record.Slice(JournalFormat.RecordHeaderSize), fileName, offset));
                            if (receiver == handler)
                            {
                                result.RecordsDelivered++;
                            }
                        }

                        if (firstRun)
                        {
                            result.RecordCount++;
                            result.LastSequence = sequence;
                            result.LastTimestampUnixMs = timestamp;
                            result.DataEndOffset = offset + size;
                        }
                        else
                        {
                            result.RecordsAfterDamage++;
                        }

                        result.HighestSequenceSeen = Math.Max(result.HighestSequenceSeen, sequence);
                        offset += size;
                        expected++;
                        continue;
                    }

                    kind = JournalDamageKind.SequenceBreak;
                    detail = $"record with a valid checksum has sequence {sequence} where {expected} was expected";
                }
            }

            Debug.Assert(detail is not null);
            int next = kind == JournalDamageKind.SequenceBreak ? offset : FindNextValidRecord(data, offset + 1);
            int readableAt = next >= 0 ? next : Math.Max(result.NonZeroEndOffset, offset);
            long resumedAt = next >= 0 ? JournalFormat.ReadSequence(data.Slice(next)) : 0;
            result.Damages.Add(new SegmentDamage(offset, expected, kind, detail, readableAt - offset,
                HoldsUnwrittenSector(data, offset, readableAt), resumedAt));
            if (firstRun)
            {
                firstRun = false;
                result.ValidRecordAfterDamageOffset = next;
                result.ValidRecordAfterDamageSequence = resumedAt;
            }

            if (!continueAfterDamage || next < 0)
            {
                break;
            }

            offset = next;
            expected = resumedAt;
        }

        return result;
    }

    /// <summary>Sector size assumed for torn writes: the smallest unit a device persists as a whole.</summary>
    public const int SectorBytes = 512;

    /// <summary>
    /// True when some 512-byte sector overlapping [<paramref name="from"/>, <paramref name="to"/>) reads as never
    /// written from <paramref name="from"/> to its end: all zeros. A write the power cut persisted only in part leaves
    /// exactly that in the damaged record: the sectors it did not persist keep what the segment held before, zeros
    /// (preallocated or zero-filled) after the last record written earlier. A flipped bit or overwritten bytes in
    /// data that was once complete leave no such sector, unless the damage itself is a sector of zeros.
    /// </summary>
    public static bool HoldsUnwrittenSector(ReadOnlySpan<byte> data, int from, int to)
    {
        to = Math.Min(to, data.Length);
        for (int sector = from - (from % SectorBytes); sector < to; sector += SectorBytes)
        {
            int start = Math.Max(sector, from);
            int end = sector + SectorBytes;
            if (end <= to && data[start..end].IndexOfAnyExcept((byte)0) < 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// First offset at or after <paramref name="from"/> holding a record with a valid checksum, or -1. Zero runs are
    /// skipped with a vectorised search: a valid record has a non-zero sequence in bytes 8..15 of its header.
    /// </summary>
    public static int FindNextValidRecord(ReadOnlySpan<byte> data, int from)
    {
        int q = from;
        int last = data.Length - JournalFormat.RecordHeaderSize;
        while (q <= last)
        {
            int nonZero = data.Slice(q).IndexOfAnyExcept((byte)0);
            if (nonZero < 0)
            {
                return -1;
            }

            q = Math.Max(q, q + nonZero - 15);
            if (q > last)
            {
                return -1;
            }

            if (JournalFormat.IsValidRecordAt(data, q))
            {
                return q;
            }

            q++;
        }

        return -1;
    }
}
