using Microsoft.Win32.SafeHandles;

namespace PaymentSwitch.Journal.Internal;

/// <summary>The segment the writer appends to. Owned by the writer thread.</summary>
internal sealed class OpenSegment : IDisposable
{
    public required SafeFileHandle Handle { get; init; }

    public required string Path { get; init; }

    public required long FirstSequence { get; init; }

    public required long CapacityBytes { get; init; }

    public required SegmentEntry Entry { get; init; }

    /// <summary>Offset where the next record goes.</summary>
    public long WriteOffset { get; set; }

    public long RoomBytes => CapacityBytes - WriteOffset;

    /// <summary>Creates, preallocates and syncs a new segment file with its header; fsyncs the directory.</summary>
    public static OpenSegment Create(string directory, long firstSequence, long sizeBytes, bool sync)
    {
        string path = System.IO.Path.Combine(directory, JournalFormat.SegmentFileName(firstSequence));
        SafeFileHandle handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            int errno = NativeMethods.Preallocate(handle, sizeBytes);
            if (errno == NativeMethods.ENOSPC || errno == NativeMethods.EFBIG)
            {
                throw new JournalFullException(
                    $"journal disk full: cannot preallocate {sizeBytes} bytes for new segment '{path}' (errno {errno}). " +
                    "The journal stopped accepting appends; free space on that file system (or retire old segments) and restart.");
            }

            if (errno != 0)
            {
                throw new IOException($"cannot preallocate {sizeBytes} bytes for new segment '{path}': errno {errno}", errno);
            }

            WriteHeader(handle, path, firstSequence, sync, out long created);
            return Start(handle, directory, path, firstSequence, sizeBytes, sync, created);
        }
        catch
        {
            handle.Dispose();
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // An empty leftover is removed by the next recovery scan (incomplete last segment).
            }

            throw;
        }
    }

    /// <summary>
    /// Turns a prepared file (zero-filled and synced, <see cref="JournalFormat.SpareSegmentFileName"/>) into the
    /// segment starting at <paramref name="firstSequence"/>: header written and synced under the spare name, then the
    /// file renamed and the directory synced. A crash before the rename leaves a spare without records, which the
    /// next open deletes; after it, an empty segment, exactly as <see cref="Create"/> would have. Takes ownership of
    /// <paramref name="spare"/>.
    /// </summary>
    public static OpenSegment Adopt(SafeFileHandle spare, string directory, long firstSequence, long sizeBytes, bool sync)
    {
        string sparePath = System.IO.Path.Combine(directory, JournalFormat.SpareSegmentFileName);
        string path = System.IO.Path.Combine(directory, JournalFormat.SegmentFileName(firstSequence));
        try
        {
            WriteHeader(spare, sparePath, firstSequence, sync, out long created);
            File.Move(sparePath, path);
            return Start(spare, directory, path, firstSequence, sizeBytes, sync, created);
        }
        catch
        {
            spare.Dispose();
            throw;
        }
    }

    private static OpenSegment Start(SafeFileHandle handle, string directory, string path, long firstSequence, long sizeBytes, bool sync, long created)
    {
        if (sync)
        {
            NativeMethods.SyncDirectory(directory);
        }

        return new OpenSegment
        {
            Handle = handle,
            Path = path,
            FirstSequence = firstSequence,
            CapacityBytes = sizeBytes,
            WriteOffset = JournalFormat.SegmentHeaderSize,
            Entry = new SegmentEntry { Path = path, FirstSequence = firstSequence, CreatedUnixMs = created, FileLengthBytes = sizeBytes, LastTimestampUnixMs = created },
        };
    }

    private static void WriteHeader(SafeFileHandle handle, string path, long firstSequence, bool sync, out long created)
    {
        created = JournalFormat.UnixMsNow();
        Span<byte> header = stackalloc byte[JournalFormat.SegmentHeaderSize];
        JournalFormat.WriteSegmentHeader(header, firstSequence, created);
        RandomAccess.Write(handle, header, 0);
        if (sync)
        {
            NativeMethods.SyncData(handle, path);
        }
    }

    /// <summary>Opens an existing (recovered) segment to continue appending at <paramref name="writeOffset"/>.</summary>
    public static OpenSegment Reopen(string path, long firstSequence, long createdUnixMs, long writeOffset, long lastTimestampUnixMs)
    {
        SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        long length = RandomAccess.GetLength(handle);
        return new OpenSegment
        {
            Handle = handle,
            Path = path,
            FirstSequence = firstSequence,
            CapacityBytes = length,
            WriteOffset = writeOffset,
            Entry = new SegmentEntry
            {
                Path = path, FirstSequence = firstSequence, CreatedUnixMs = createdUnixMs, FileLengthBytes = length, LastTimestampUnixMs = lastTimestampUnixMs,
            },
        };
    }

    public void Dispose() => Handle.Dispose();
}
