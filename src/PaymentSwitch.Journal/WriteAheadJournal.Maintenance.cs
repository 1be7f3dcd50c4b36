using PaymentSwitch.Journal.Internal;

namespace PaymentSwitch.Journal;

public sealed partial class WriteAheadJournal
{
    private readonly Timer _maintenanceTimer;
    private readonly object _segmentsLock = new();
    private readonly List<SegmentEntry> _segments = [];
    private int _maintenanceRunning;
    private long _retainFrom;
    private long _retainPointPersisted; // maintenance pass only (and Open)
    private long _segmentsRetired;
    private long _freeBytes = -1;
    private int _segmentCountStat;
    private long _segmentBytesStat;
    private volatile string? _diskProblem;
    private volatile string? _maintenanceProblem;

    /// <summary>Background pass (timer, every HealthCheckIntervalMs): free-space check, then retention. Never overlaps itself.</summary>
    internal void RunMaintenance()
    {
        if (Interlocked.Exchange(ref _maintenanceRunning, 1) != 0)
        {
            return;
        }

        try
        {
            CheckFreeSpace();
            ApplyRetention();
            PersistRetainPoint();
            _maintenanceProblem = null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _maintenanceProblem = $"journal maintenance (free-space check, retention, keeping the retain point) failed: {ex.Message}";
        }
        finally
        {
            Volatile.Write(ref _maintenanceRunning, 0);
        }
    }

    /// <summary>
    /// Keeps the retain point in the directory (<see cref="ReplayCheckpoint"/>) when it moved, so that the next Open
    /// replays from it. Never past the durable records: a crash cannot cut those, so it is never beyond the end.
    /// </summary>
    private void PersistRetainPoint()
    {
        long retainPoint = Math.Min(Volatile.Read(ref _retainFrom), Volatile.Read(ref _durableSequence) + 1);
        if (retainPoint <= _retainPointPersisted)
        {
            return;
        }

        SegmentEntry? holder = null;
        lock (_segmentsLock)
        {
            holder = _segments.FindLast(s => s.FirstSequence <= retainPoint);
        }

        if (holder is not null)
        {
            new ReplayCheckpoint(retainPoint, holder.FirstSequence, holder.CreatedUnixMs).Write(_directory, sync: _durability != DurabilityMode.None);
            _retainPointPersisted = retainPoint;
        }
    }

    private void CheckFreeSpace()
    {
        long free = new DriveInfo(_directory).AvailableFreeSpace;
        Volatile.Write(ref _freeBytes, free);
        long min = _options.MinFreeBytes;
        _diskProblem = min > 0 && free < min
            ? $"journal disk low: {free} bytes free for '{_directory}', below MinFreeBytes {min}. Stop taking new work, " +
              "free space or lower the retention (SetRetainFrom / RetentionAge / ArchiveDirectory on another disk)."
            : null;
    }

    /// <summary>Retires closed segments from the oldest on, while all their records are below the retain-from sequence and old enough.</summary>
    internal int ApplyRetention()
    {
        long retainFrom = Volatile.Read(ref _retainFrom);
        if (retainFrom <= 0)
        {
            return 0;
        }

        long nowMs = JournalFormat.UnixMsNow();
        long minAgeMs = (long)_options.RetentionAge.TotalMilliseconds;
        List<SegmentEntry>? retire = null;
        lock (_segmentsLock)
        {
            // The last entry is the active segment: never retired.
            while (_segments.Count > 1
                && _segments[1].FirstSequence <= retainFrom
                && nowMs - _segments[0].LastTimestampUnixMs >= minAgeMs)
            {
                (retire ??= []).Add(_segments[0]);
                _segments.RemoveAt(0);
            }
        }

        if (retire is null)
        {
            return 0;
        }

        PublishSegmentStats();
        for (int i = 0; i < retire.Count; i++)
        {
            try
            {
                Retire(retire[i]);
            }
            catch
            {
                // Put back what was not retired, in order, so the next pass tries again.
                lock (_segmentsLock)
                {
                    _segments.InsertRange(0, retire.GetRange(i, retire.Count - i));
                }

                PublishSegmentStats();
                throw;
            }

            Interlocked.Increment(ref _segmentsRetired);
        }

        return retire.Count;
    }

    private void Retire(SegmentEntry entry)
    {
        string? archive = _options.ArchiveDirectory;
        if (archive is null)
        {
            File.Delete(entry.Path);
            NativeMethods.SyncDirectory(_directory);
            return;
        }

        archive = Path.GetFullPath(archive);
        System.IO.Directory.CreateDirectory(archive);
        string target = Path.Combine(archive, Path.GetFileName(entry.Path));
        int errno = NativeMethods.TryRename(entry.Path, target);
        if (errno == NativeMethods.EXDEV)
        {
            // Another file system: copy, sync the copy, publish it by rename, and only then delete the original.
            string partial = target + ".partial";
            File.Copy(entry.Path, partial, overwrite: true);
            using (Microsoft.Win32.SafeHandles.SafeFileHandle copy = File.OpenHandle(partial, FileMode.Open, FileAccess.ReadWrite))
            {
                NativeMethods.SyncData(copy, partial);
            }

            errno = NativeMethods.TryRename(partial, target);
            if (errno == 0)
            {
                NativeMethods.SyncDirectory(archive);
                File.Delete(entry.Path);
            }
        }
        else if (errno == 0)
        {
            NativeMethods.SyncDirectory(archive);
        }

        if (errno != 0)
        {
            throw new IOException($"cannot archive journal segment '{entry.Path}' to '{target}': errno {errno}", errno);
        }

        NativeMethods.SyncDirectory(_directory);
    }

    private void PublishSegmentStats()
    {
        lock (_segmentsLock)
        {
            long bytes = 0;
            foreach (SegmentEntry e in _segments)
            {
                bytes += e.FileLengthBytes;
            }

            Volatile.Write(ref _segmentCountStat, _segments.Count);
            Volatile.Write(ref _segmentBytesStat, bytes);
        }
    }
}
