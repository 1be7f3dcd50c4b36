using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace PaymentSwitch.Journal.Internal;

/// <summary>
/// The retain point (<see cref="WriteAheadJournal.SetRetainFrom"/>) kept in the journal directory, so that
/// <see cref="WriteAheadJournal.Open"/> replays from there: a restart reads what the caller still needs, not all that
/// retention keeps. It names the segment holding it (first sequence and creation time, from the segment's header), so
/// that it is never applied to another journal's segments (a directory emptied by hand, or restored from elsewhere).
/// </summary>
/// <remarks>
/// 36 bytes: u32 magic 'PSRF', u16 version 1, u16 reserved (0), i64 sequence, i64 the holding segment's first
/// sequence, i64 its creation time (unix ms), u32 CRC-32C of bytes 0..31. Replaced atomically: a temporary file written
/// and synced, renamed over the old one, the directory synced. A missing file means a full replay; a damaged or
/// foreign one too, reported and removed.
/// </remarks>
internal readonly record struct ReplayCheckpoint(long Sequence, long SegmentFirstSequence, long SegmentCreatedUnixMs)
{
    public const string FileName = "replay-from.checkpoint";
    public const string TemporaryFileName = FileName + ".tmp";
    private const uint Magic = 0x46525350; // "PSRF" read little-endian
    private const ushort Version = 1;
    private const int Size = 36;

    /// <summary>The checkpoint kept in <paramref name="directory"/>, or null when there is none or it is damaged (<paramref name="problem"/> says how).</summary>
    public static ReplayCheckpoint? Read(string directory, out string? problem)
    {
        problem = null;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(Path.Combine(directory, FileName));
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        if (bytes.Length != Size)
        {
            problem = $"{FileName} is {bytes.Length} bytes, not {Size}";
            return null;
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic || BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(4)) != Version
            || BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(32)) != Crc32C.Compute(bytes.AsSpan(0, 32)))
        {
            problem = $"{FileName} is damaged (magic, version or checksum)";
            return null;
        }

        var kept = new ReplayCheckpoint(
            BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8)),
            BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(16)),
            BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(24)));
        if (kept.Sequence < 1 || kept.SegmentFirstSequence < 1 || kept.SegmentFirstSequence > kept.Sequence)
        {
            problem = $"{FileName} holds sequence {kept.Sequence} in a segment starting at {kept.SegmentFirstSequence}";
            return null;
        }

        return kept;
    }

    /// <summary>Replaces the kept checkpoint with this one; durable on return when <paramref name="sync"/>.</summary>
    public void Write(string directory, bool sync)
    {
        Span<byte> bytes = stackalloc byte[Size];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes[4..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes[6..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[8..], Sequence);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[16..], SegmentFirstSequence);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[24..], SegmentCreatedUnixMs);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[32..], Crc32C.Compute(bytes[..32]));

        string temporary = Path.Combine(directory, TemporaryFileName);
        using (SafeFileHandle handle = File.OpenHandle(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            RandomAccess.Write(handle, bytes, 0);
            if (sync)
            {
                NativeMethods.SyncData(handle, temporary);
            }
        }

        File.Move(temporary, Path.Combine(directory, FileName), overwrite: true);
        if (sync)
        {
            NativeMethods.SyncDirectory(directory);
        }
    }

    /// <summary>Removes the kept checkpoint (one that was not used must not apply later either).</summary>
    public static void Delete(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (File.Exists(path))
        {
            File.Delete(path);
            NativeMethods.SyncDirectory(directory);
        }
    }
}
