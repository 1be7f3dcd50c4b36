using System.Buffers.Binary;

namespace PaymentSwitch.Journal.Tests;

/// <summary>A fresh directory under the system temp directory (on the real disk), deleted afterwards.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "psj-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A copy of one replayed record.</summary>
internal sealed record ReplayedRecord(long Sequence, byte RecordType, long TimestampUnixMs, byte[] Payload, string SegmentFile, long OffsetBytes);

/// <summary>Collects replayed records.</summary>
internal sealed class RecordingHandler : IJournalReplayHandler
{
    public List<ReplayedRecord> Records { get; } = [];

    public void OnRecord(in JournalRecord record) =>
        Records.Add(new ReplayedRecord(record.Sequence, record.RecordType, record.TimestampUnixMs, record.Payload.ToArray(), record.SegmentFile, record.OffsetBytes));
}

internal static class Journals
{
    public static JournalOptions Options(string directory, Action<JournalOptions>? configure = null)
    {
        var o = new JournalOptions
        {
            Directory = directory,
            MinFreeBytes = 0,
            SegmentSizeBytes = 1 << 20,
            MaxRecordPayloadBytes = 4096,
            MaxPendingBytes = 256 * 1024,
            RetentionAge = TimeSpan.Zero,
        };
        configure?.Invoke(o);
        return o;
    }

    public static WriteAheadJournal Open(JournalOptions options, out RecoveryReport report, RecordingHandler? handler = null) =>
        WriteAheadJournal.Open(options, handler, out report);

    /// <summary>Deterministic payload: 8-byte tag then filler derived from it, of the given length (at least 8).</summary>
    public static byte[] Payload(long tag, int length)
    {
        var p = new byte[Math.Max(8, length)];
        BinaryPrimitives.WriteInt64LittleEndian(p, tag);
        for (int i = 8; i < p.Length; i++)
        {
            p[i] = (byte)((tag * 31) + i);
        }

        return p;
    }

    public static long Tag(byte[] payload) => BinaryPrimitives.ReadInt64LittleEndian(payload);

    public static string[] SegmentFiles(string directory)
    {
        string[] files = Directory.GetFiles(directory, "*.wal");
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    /// <summary>Where each record sits (file, offset, size), from a read-only scan.</summary>
    public static List<ReplayedRecord> Layout(string directory)
    {
        var h = new RecordingHandler();
        JournalScanner.Scan(directory, h);
        return h.Records;
    }

    public static void Overwrite(string path, long offset, ReadOnlySpan<byte> bytes)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        f.Position = offset;
        f.Write(bytes);
        f.Flush(true);
    }

    public static void FlipBit(string path, long offset, int bit)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        f.Position = offset;
        int b = f.ReadByte();
        f.Position = offset;
        f.WriteByte((byte)(b ^ (1 << bit)));
        f.Flush(true);
    }
}
