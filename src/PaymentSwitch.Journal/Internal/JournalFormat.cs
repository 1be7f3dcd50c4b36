using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;

namespace PaymentSwitch.Journal.Internal;

/// <summary>
/// On-disk layout (all integers little-endian).
/// <code>
/// Segment header, 32 bytes at offset 0:
///   0  u32 magic 'PSJL'     4  u16 format version (1)   6  u16 header size (32)
///   8  i64 first sequence   16 i64 created (unix ms)     24 u32 reserved (0)   28 u32 CRC-32C of bytes 0..27
/// Record, 28-byte header then payload, records back to back from offset 32:
///   0  u32 CRC-32C of bytes 4 .. 28+length (rest of header + payload)
///   4  i32 payload length   8  i64 sequence   16 i64 timestamp (unix ms)   24 u8 record type   25..27 reserved (0)
///   28 payload
/// </code>
/// The unused remainder of a segment is zero (preallocated). An all-zero record header can never be valid (its
/// sequence would be 0), so the first all-zero header followed only by zeros marks the end of the data.
/// </summary>
internal static class JournalFormat
{
    public const uint SegmentMagic = 0x4C4A5350; // "PSJL" read little-endian
    public const ushort FormatVersion = 1;
    public const int SegmentHeaderSize = 32;
    public const int RecordHeaderSize = 28;
    public const string SegmentExtension = ".wal";
    public const int SegmentNameDigits = 20;
    public const string LockFileName = "journal.lock";
    public const string QuarantineDirectoryName = "quarantine";

    /// <summary>The next segment while it is being zero-filled ahead of need (see <c>SegmentPreparer</c>); never holds records.</summary>
    public const string SpareSegmentFileName = "next-segment.spare";

    public static string SegmentFileName(long firstSequence) =>
        firstSequence.ToString("D20", CultureInfo.InvariantCulture) + SegmentExtension;

    /// <summary>Parses <c>NNNNNNNNNNNNNNNNNNNN.wal</c>; false for any other name.</summary>
    public static bool TryParseSegmentFileName(string fileName, out long firstSequence)
    {
        firstSequence = 0;
        if (fileName.Length != SegmentNameDigits + SegmentExtension.Length || !fileName.EndsWith(SegmentExtension, StringComparison.Ordinal))
        {
            return false;
        }

        ReadOnlySpan<char> digits = fileName.AsSpan(0, SegmentNameDigits);
        foreach (char ch in digits)
        {
            if (ch is < '0' or > '9')
            {
                return false;
            }
        }

        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out firstSequence) && firstSequence >= 1;
    }

    public static void WriteSegmentHeader(Span<byte> destination, long firstSequence, long createdUnixMs)
    {
        Debug.Assert(destination.Length >= SegmentHeaderSize);
        Debug.Assert(firstSequence >= 1);
        Span<byte> h = destination.Slice(0, SegmentHeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(h, SegmentMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(h.Slice(4), FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(h.Slice(6), SegmentHeaderSize);
        BinaryPrimitives.WriteInt64LittleEndian(h.Slice(8), firstSequence);
        BinaryPrimitives.WriteInt64LittleEndian(h.Slice(16), createdUnixMs);
        BinaryPrimitives.WriteUInt32LittleEndian(h.Slice(24), 0);
        BinaryPrimitives.WriteUInt32LittleEndian(h.Slice(28), Crc32C.Compute(h.Slice(0, 28)));
    }

    /// <summary>Checks a segment header; returns null when valid, otherwise what is wrong.</summary>
    public static string? ValidateSegmentHeader(ReadOnlySpan<byte> data, long nameSequence, out long createdUnixMs)
    {
        createdUnixMs = 0;
        if (data.Length < SegmentHeaderSize)
        {
            return $"file is {data.Length} bytes, shorter than the {SegmentHeaderSize}-byte segment header";
        }

        ReadOnlySpan<byte> h = data.Slice(0, SegmentHeaderSize);
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(h);
        if (magic != SegmentMagic)
        {
            return $"bad magic 0x{magic:X8} (expected 0x{SegmentMagic:X8}): not a journal segment";
        }

        uint storedCrc = BinaryPrimitives.ReadUInt32LittleEndian(h.Slice(28));
        uint crc = Crc32C.Compute(h.Slice(0, 28));
        if (storedCrc != crc)
        {
            return $"segment header checksum mismatch (stored 0x{storedCrc:X8}, computed 0x{crc:X8})";
        }

        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(h.Slice(4));
        ushort headerSize = BinaryPrimitives.ReadUInt16LittleEndian(h.Slice(6));
        if (version != FormatVersion || headerSize != SegmentHeaderSize)
        {
            return $"unsupported format version {version} / header size {headerSize} (this build reads version {FormatVersion})";
        }

        long first = BinaryPrimitives.ReadInt64LittleEndian(h.Slice(8));
        if (first != nameSequence)
        {
            return $"header says first sequence {first} but the file name says {nameSequence}";
        }

        createdUnixMs = BinaryPrimitives.ReadInt64LittleEndian(h.Slice(16));
        return null;
    }

    /// <summary>Writes header and payload of one record at the start of <paramref name="destination"/>; returns its size.</summary>
    public static int WriteRecord(Span<byte> destination, long sequence, long timestampUnixMs, byte recordType, ReadOnlySpan<byte> payload)
    {
        int size = RecordHeaderSize + payload.Length;
        Debug.Assert(destination.Length >= size);
        Debug.Assert(sequence >= 1);
        Span<byte> r = destination.Slice(0, size);
        BinaryPrimitives.WriteInt32LittleEndian(r.Slice(4), payload.Length);
        BinaryPrimitives.WriteInt64LittleEndian(r.Slice(8), sequence);
        BinaryPrimitives.WriteInt64LittleEndian(r.Slice(16), timestampUnixMs);
        r[24] = recordType;
        r[25] = 0;
        r[26] = 0;
        r[27] = 0;
        payload.CopyTo(r.Slice(RecordHeaderSize));
        BinaryPrimitives.WriteUInt32LittleEndian(r, Crc32C.Compute(r.Slice(4)));
        return size;
    }

    public static int ReadPayloadLength(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadInt32LittleEndian(record.Slice(4));

    public static long ReadSequence(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadInt64LittleEndian(record.Slice(8));

    public static long ReadTimestamp(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadInt64LittleEndian(record.Slice(16));

    /// <summary>
    /// Checks the record starting at <paramref name="offset"/>: returns its total size when header and checksum are
    /// valid; otherwise 0 and the kind of damage (sequence continuity is the caller's business).
    /// </summary>
    public static int TryReadRecord(ReadOnlySpan<byte> data, int offset, out JournalDamageKind damage, out string? detail)
    {
        detail = null;
        damage = default;
        int remaining = data.Length - offset;
        if (remaining < RecordHeaderSize)
        {
            damage = JournalDamageKind.TruncatedRecord;
            detail = $"only {remaining} bytes left, less than a {RecordHeaderSize}-byte record header";
            return 0;
        }

        ReadOnlySpan<byte> h = data.Slice(offset, RecordHeaderSize);
        int length = BinaryPrimitives.ReadInt32LittleEndian(h.Slice(4));
        long sequence = BinaryPrimitives.ReadInt64LittleEndian(h.Slice(8));
        if ((uint)length > JournalOptions.FormatMaxPayloadBytes || sequence < 1 || h[25] != 0 || h[26] != 0 || h[27] != 0)
        {
            damage = JournalDamageKind.InvalidRecordHeader;
            detail = $"impossible record header (payload length {length}, sequence {sequence})";
            return 0;
        }

        if (length > remaining - RecordHeaderSize)
        {
            damage = JournalDamageKind.TruncatedRecord;
            detail = $"record of {length} payload bytes runs past the end of the file";
            return 0;
        }

        int size = RecordHeaderSize + length;
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(h);
        uint crc = Crc32C.Compute(data.Slice(offset + 4, size - 4));
        if (stored != crc)
        {
            damage = JournalDamageKind.ChecksumMismatch;
            detail = $"record checksum mismatch (stored 0x{stored:X8}, computed 0x{crc:X8}, payload length {length}, sequence field {sequence})";
            return 0;
        }

        return size;
    }

    /// <summary>Cheap test used while searching forward for the next valid record: no strings, no allocation.</summary>
    public static bool IsValidRecordAt(ReadOnlySpan<byte> data, int offset)
    {
        if (data.Length - offset < RecordHeaderSize)
        {
            return false;
        }

        ReadOnlySpan<byte> h = data.Slice(offset, RecordHeaderSize);
        int length = BinaryPrimitives.ReadInt32LittleEndian(h.Slice(4));
        if ((uint)length > JournalOptions.FormatMaxPayloadBytes || length > data.Length - offset - RecordHeaderSize
            || h[25] != 0 || h[26] != 0 || h[27] != 0 || BinaryPrimitives.ReadInt64LittleEndian(h.Slice(8)) < 1)
        {
            return false;
        }

        return BinaryPrimitives.ReadUInt32LittleEndian(h) == Crc32C.Compute(data.Slice(offset + 4, RecordHeaderSize - 4 + length));
    }

    public static long UnixMsNow() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
