using Microsoft.Win32.SafeHandles;

namespace PaymentSwitch.Journal.Internal;

/// <summary>
/// Writes the next segment's file full of zeros (<see cref="JournalFormat.SpareSegmentFileName"/>) on a background
/// thread while the active segment fills, so that appends to the next segment overwrite blocks that already hold
/// data and each fdatasync flushes data only (see <see cref="JournalOptions.ZeroFillSegments"/>). The writer starts it
/// and takes the file at its next roll; when the file is not ready then (or preparing it failed, for example on a
/// full disk), the writer creates the segment the ordinary way, which reports the failure properly. Zeros go out in
/// 1 MiB writes, each synced before the next, so the disk is never asked to flush a whole segment at once while the
/// writer is waiting on its own fdatasync. Used by the writer thread only, apart from the background work itself.
/// </summary>
internal sealed class SegmentPreparer : IDisposable
{
    private const int ChunkBytes = 1 << 20;

    // Only ever read: one buffer of zeros for every preparation in the process.
    private static readonly byte[] s_zeros = new byte[ChunkBytes];

    private readonly string _directory;
    private readonly string _path;
    private readonly long _sizeBytes;
    private Task<bool>? _preparing;
    private volatile bool _stopping;

    public SegmentPreparer(string directory, long sizeBytes)
    {
        _directory = directory;
        _path = Path.Combine(directory, JournalFormat.SpareSegmentFileName);
        _sizeBytes = sizeBytes;
    }

    /// <summary>True from <see cref="Start"/> until the prepared file is taken (or found unusable).</summary>
    public bool Started => _preparing is not null;

    /// <summary>Deletes a spare left by an earlier run (it never holds records). Called before the directory is scanned.</summary>
    public static void RemoveLeftover(string directory)
    {
        string path = Path.Combine(directory, JournalFormat.SpareSegmentFileName);
        if (File.Exists(path))
        {
            File.Delete(path);
            NativeMethods.SyncDirectory(directory);
        }
    }

    /// <summary>Starts zero-filling the spare in the background, unless that already started.</summary>
    public void Start()
    {
        if (_preparing is not null || _stopping)
        {
            return;
        }

        _preparing = Task.Factory.StartNew(Prepare, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>
    /// When the spare is ready, makes it the segment starting at <paramref name="firstSequence"/> and returns it;
    /// otherwise null (not started, still being written, or failed) and the caller creates the segment itself.
    /// </summary>
    public OpenSegment? TryTake(long firstSequence, bool sync)
    {
        Task<bool>? preparing = _preparing;
        if (preparing is null || !preparing.IsCompleted)
        {
            return null;
        }

        _preparing = null;
        if (!preparing.IsCompletedSuccessfully || !preparing.Result)
        {
            return null;
        }

        SafeFileHandle spare;
        try
        {
            spare = File.OpenHandle(_path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        }
        catch (IOException)
        {
            return null; // gone (removed by hand?): the ordinary way still works, or reports why not
        }

        if (RandomAccess.GetLength(spare) != _sizeBytes)
        {
            spare.Dispose();
            return null;
        }

        return OpenSegment.Adopt(spare, _directory, firstSequence, _sizeBytes, sync);
    }

    /// <summary>Stops a preparation in progress, waits for it, and deletes the spare.</summary>
    public void Dispose()
    {
        _stopping = true;
        try
        {
            _preparing?.Wait();
        }
        catch (AggregateException)
        {
            // Prepare reports failure by its result; nothing else to undo.
        }

        _preparing = null;
        TryDelete();
    }

    private bool Prepare()
    {
        try
        {
            using (SafeFileHandle handle = File.OpenHandle(_path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read))
            {
                if (NativeMethods.Preallocate(handle, _sizeBytes) != 0)
                {
                    TryDelete();
                    return false;
                }

                byte[] zeros = s_zeros;
                for (long offset = 0; offset < _sizeBytes; offset += zeros.Length)
                {
                    if (_stopping)
                    {
                        break;
                    }

                    int count = (int)Math.Min(zeros.Length, _sizeBytes - offset);
                    RandomAccess.Write(handle, zeros.AsSpan(0, count), offset);
                    NativeMethods.SyncData(handle, _path);
                }
            }

            if (_stopping)
            {
                TryDelete();
                return false;
            }

            return true;
        }
        catch (IOException)
        {
            TryDelete();
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            TryDelete();
            return false;
        }
    }

    private void TryDelete()
    {
        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
            // Removed at the next open.
        }
        catch (UnauthorizedAccessException)
        {
            // Removed at the next open.
        }
    }
}
