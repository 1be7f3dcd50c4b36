using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace PaymentSwitch.Journal.Internal;

/// <summary>
/// The retain point (<see cref="WriteAheadJournal.SetRetainFrom"/>) kept in the journal directory, so that
/// <see cref="WriteAheadJournal.Open"/> replays from there: a restart reads what the caller still needs, not all that
/// retention keeps. 20 bytes: u32 magic 'PSRF', u16 version 1, u16 reserved (0), i64 sequence, u32 CRC-32C of bytes
/// 0..15. Replaced atomically: a temporary file written and synced, renamed over the old one, the directory synced.
/// A missing file means a full replay; a damaged one too, reported.
/// </summary>
internal static class ReplayCheckpoint
{
    public const string FileName = "replay-from.checkpoint";
    public const string TemporaryFileName = FileName + ".tmp";
    private const uint Magic = 0x46525350; // "PSRF" read little-endian
    private const ushort Version = 1;
    private const int Size = 20;

    /// <summary>The sequence kept in <paramref name="directory"/>, or 0 when there is none or it is damaged (<paramref name="problem"/> says how).</summary>
    public static long Read(string directory, out string? problem)
    {
        problem = null;
        string path = Path.Combine(directory, FileName);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return 0;
        }

        if (bytes.Length != Size)
        {
            problem = $"{FileName} is {bytes.Length} bytes, not {Size}";
            return 0;
        }

        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16));
        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic || BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(4)) != Version
            || stored != Crc32C.Compute(bytes.AsSpan(0, 16)))
        {
            problem = $"{FileName} is damaged (magic, version or checksum)";
            return 0;
        }

        long sequence = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8));
        if (sequence < 1)
        {
            problem = $"{FileName} holds sequence {sequence}";
            return 0;
        }

        return sequence;
    }

    /// <summary>Replaces the kept sequence with <paramref name="sequence"/>; durable on return when <paramref name="sync"/>.</summary>
    public static void Write(string directory, long sequence, bool sync)
    {
        Span<byte> bytes = stackalloc byte[Size];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes[4..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes[6..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[8..], sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[16..], Crc32C.Compute(bytes[..16]));

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
}
