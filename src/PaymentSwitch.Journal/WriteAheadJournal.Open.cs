using System.Diagnostics;
using Microsoft.Win32.SafeHandles;
using PaymentSwitch.Journal.Internal;

namespace PaymentSwitch.Journal;

public sealed partial class WriteAheadJournal
{
    /// <summary>
    /// Opens (or creates) the journal in <see cref="JournalOptions.Directory"/>: takes the directory lock, scans and
    /// validates every segment, cuts a torn tail, applies quarantine if enabled, hands the valid records from the last
    /// persisted retain point on (see <see cref="SetRetainFrom"/>; all of them when none was persisted) to
    /// <paramref name="replayHandler"/> in sequence order, and then starts the writer. No record is handed over when
    /// the open refuses.
    /// </summary>
    /// <param name="options">Settings; validated and copied.</param>
    /// <param name="replayHandler">Receives the records to replay before the first append; null to skip replay.</param>
    /// <param name="report">What recovery found and did.</param>
    /// <exception cref="ArgumentException">Invalid options, including <see cref="DurabilityMode.None"/> without <see cref="JournalOptions.AllowUnsafeDurabilityNone"/>.</exception>
    /// <exception cref="JournalCorruptException">Damage that is not a torn tail (message says where and what to do).</exception>
    /// <exception cref="IOException">The directory is locked by another writer, or an I/O error.</exception>
    public static WriteAheadJournal Open(JournalOptions options, IJournalReplayHandler? replayHandler, out RecoveryReport report)
    {
        ArgumentNullException.ThrowIfNull(options);
        JournalOptions o = options.Clone();
        Validate(o);
        string directory = Path.GetFullPath(o.Directory);
        System.IO.Directory.CreateDirectory(directory);
        SafeFileHandle lockFile = AcquireDirectoryLock(directory);
        try
        {
            SegmentPreparer.RemoveLeftover(directory);
            ReplayCheckpoint? kept = ReplayCheckpoint.Read(directory, out string? checkpointProblem);
            long checkpoint = kept?.Sequence ?? 0;
            IJournalReplayHandler? below = replayHandler is not null && checkpoint > 0 ? new BeforeReplayStart(replayHandler, checkpoint) : null;
            DirectoryScan scan = DirectoryScan.Run(directory, o.QuarantineDamagedSegments, below, deliverAfterDamage: false, DirectoryScan.MaxWriteSpanFor(o));
            if (scan.Blocker is JournalDamage blocker)
            {
                RecoveryReport failed = scan.ToReport(producedByOpen: true, recordsDelivered: 0);
                throw new JournalCorruptException(
                    $"Journal in '{directory}' cannot be opened: {blocker.Kind} in segment {blocker.SegmentFile} at offset {blocker.OffsetBytes} " +
                    $"(sequence {blocker.ExpectedSequence}): {blocker.Description}",
                    blocker,
                    failed);
            }

            ApplyRecoveryActions(scan, directory);
            if (kept is ReplayCheckpoint k && ForeignCheckpoint(scan, k) is string foreign)
            {
                // Not this journal's (its segments were replaced or removed by hand): replay everything, and remove it
                // so that it cannot apply once the journal grows past it.
                checkpointProblem = foreign;
                checkpoint = 0;
                ReplayCheckpoint.Delete(directory);
            }

            long delivered = replayHandler is null ? 0 : Replay(scan, replayHandler, checkpoint);
            report = scan.ToReport(producedByOpen: true, delivered);
            report.ReplayedFromSequence = checkpoint;
            report.ReplayCheckpointProblem = checkpointProblem;
            return new WriteAheadJournal(o, directory, lockFile, scan, checkpoint);
        }
        catch
        {
            lockFile.Dispose();
            throw;
        }
    }

    private WriteAheadJournal(JournalOptions options, string directory, SafeFileHandle lockFile, DirectoryScan scan, long retainPointPersisted)
    {
        _options = options;
        _retainPointPersisted = retainPointPersisted;
        _directory = directory;
        _durability = options.Durability;
        _maxPayloadBytes = options.MaxRecordPayloadBytes;
        _lockFile = lockFile;
        _pool = new AppendCompletionPool(capacity: 4096);
        _filling = new PendingBatch(options.MaxPendingBytes);
        _spare = new PendingBatch(options.MaxPendingBytes);
        _nextSequence = scan.NextSequence;
        _lastWrittenSequence = scan.NextSequence - 1;
        _lastWrittenSequenceStat = _lastWrittenSequence;
        _durableSequence = _lastWrittenSequence;

        foreach (SegmentPlan plan in scan.Segments)
        {
            if (plan.IsLive && plan != scan.ActiveSegment)
            {
                _segments.Add(new SegmentEntry
                {
                    Path = plan.Path,
                    FirstSequence = plan.Scan.NameSequence,
                    CreatedUnixMs = plan.Scan.CreatedUnixMs,
                    FileLengthBytes = plan.Scan.FileLengthBytes,
                    LastTimestampUnixMs = plan.Scan.LastTimestampUnixMs,
                });
            }
        }

        _direct = options.DirectWrites && _durability == DurabilityMode.Strict ? DirectSegmentWriter.TryCreate(options.MaxPendingBytes) : null;
        _preparer = options.ZeroFillSegments && _durability != DurabilityMode.None ? new SegmentPreparer(directory, options.SegmentSizeBytes) : null;
        _active = scan.ActiveSegment is SegmentPlan active
            ? OpenSegment.Reopen(active.Path, active.Scan.NameSequence, active.Scan.CreatedUnixMs, active.Scan.DataEndOffset, active.Scan.LastTimestampUnixMs)
            : OpenSegment.Create(directory, scan.NextSequence, options.SegmentSizeBytes, sync: _durability != DurabilityMode.None);
        try
        {
            _segments.Add(_active.Entry);
            AttachDirect(); // before the writer starts, so the first GetStats already tells
            PublishSegmentStats();
            _lastSyncTimestamp = Stopwatch.GetTimestamp();
            RunMaintenance();
            _writer = new Thread(WriterLoop) { IsBackground = true, Name = "journal-writer" };
            _writer.Start();
            _maintenanceTimer = new Timer(static state => ((WriteAheadJournal)state!).RunMaintenance(), this, options.HealthCheckIntervalMs, options.HealthCheckIntervalMs);
        }
        catch
        {
            _direct?.Dispose();
            _active.Dispose();
            throw;
        }
    }

    private static void Validate(JournalOptions o)
    {
        if (string.IsNullOrWhiteSpace(o.Directory))
        {
            throw new ArgumentException("JournalOptions.Directory is required", nameof(o));
        }

        if (!Enum.IsDefined(o.Durability))
        {
            throw new ArgumentException($"JournalOptions.Durability {(int)o.Durability} is not a DurabilityMode", nameof(o));
        }

        if (o.Durability == DurabilityMode.None && !o.AllowUnsafeDurabilityNone)
        {
            throw new ArgumentException(
                "Durability None (no fdatasync) was requested without AllowUnsafeDurabilityNone = true. It can lose or damage " +
                "recently completed records on an operating-system crash or power loss and is meant for measurement only; " +
                "use Strict (the default) for money.", nameof(o));
        }

        Require(o.MaxRecordPayloadBytes is >= 1 and <= JournalOptions.FormatMaxPayloadBytes,
            $"MaxRecordPayloadBytes must be between 1 and {JournalOptions.FormatMaxPayloadBytes}, not {o.MaxRecordPayloadBytes}");
        int largestRecord = JournalFormat.RecordHeaderSize + o.MaxRecordPayloadBytes;
        Require(o.MaxPendingBytes >= largestRecord && o.MaxPendingBytes <= JournalOptions.MaxPendingBytesLimit,
            $"MaxPendingBytes must be at least one record of MaxRecordPayloadBytes plus its header ({largestRecord}) and at most 64 MiB, not {o.MaxPendingBytes}");
        Require(o.SegmentSizeBytes >= Math.Max(4096, JournalFormat.SegmentHeaderSize + largestRecord) && o.SegmentSizeBytes <= 1L << 30,
            $"SegmentSizeBytes must hold the segment header and one record of MaxRecordPayloadBytes ({JournalFormat.SegmentHeaderSize + largestRecord}), be at least 4096 and at most 1 GiB, not {o.SegmentSizeBytes}");
        Require(o.BatchedWindowMs is >= 1 and <= 10_000, $"BatchedWindowMs must be between 1 and 10000, not {o.BatchedWindowMs}");
        Require(o.HealthCheckIntervalMs is >= 10 and <= 600_000, $"HealthCheckIntervalMs must be between 10 and 600000, not {o.HealthCheckIntervalMs}");
        Require(o.InlineCompletionMax is >= 0 and <= CompletionRun.Capacity,
            $"InlineCompletionMax must be between 0 and {CompletionRun.Capacity}, not {o.InlineCompletionMax}");
        Require(o.MinFreeBytes >= 0, $"MinFreeBytes must not be negative, not {o.MinFreeBytes}");
        Require(o.RetentionAge >= TimeSpan.Zero, $"RetentionAge must not be negative, not {o.RetentionAge}");

        static void Require(bool condition, string message)
        {
            if (!condition)
            {
                throw new ArgumentException("invalid journal options: " + message, "options");
            }
        }
    }

    /// <summary>One writer per directory, across processes: an exclusive advisory lock on journal.lock.</summary>
    private static SafeFileHandle AcquireDirectoryLock(string directory)
    {
        string path = Path.Combine(directory, JournalFormat.LockFileName);
        try
        {
            return File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new IOException(
                $"journal directory '{directory}' is already open by another writer (lock file {JournalFormat.LockFileName} is held): " +
                "only one process may write a journal. Stop the other instance or point this one at another directory.", ex);
        }
    }

    private static void ApplyRecoveryActions(DirectoryScan scan, string directory)
    {
        foreach (SegmentPlan plan in scan.Segments)
        {
            if (plan.RemoveIncomplete)
            {
                File.Delete(plan.Path);
                NativeMethods.SyncDirectory(directory);
            }
            else if (plan.Quarantine)
            {
                string quarantine = QuarantineDirectory(directory);

                string target = Path.Combine(quarantine, plan.Scan.FileName);
                for (int n = 1; File.Exists(target); n++)
                {
                    target = Path.Combine(quarantine, $"{plan.Scan.FileName}.{n}");
                }

                File.Move(plan.Path, target);
                NativeMethods.SyncDirectory(quarantine);
                NativeMethods.SyncDirectory(directory);
            }
            else if (plan.CutTail)
            {
                if (plan.Scan.ValidRecordAfterDamageOffset >= 0)
                {
                    KeepCutBytes(plan, directory);
                }

                ZeroTail(plan.Path, plan.Scan.DataEndOffset, plan.Scan.NonZeroEndOffset);
            }
        }
    }

    /// <summary>The journal's <c>quarantine/</c> directory, created (and the journal directory synced) when missing.</summary>
    private static string QuarantineDirectory(string directory)
    {
        string quarantine = Path.Combine(directory, JournalFormat.QuarantineDirectoryName);
        if (!System.IO.Directory.Exists(quarantine))
        {
            System.IO.Directory.CreateDirectory(quarantine);
            NativeMethods.SyncDirectory(directory);
        }

        return quarantine;
    }

    /// <summary>
    /// A torn last write with valid records after its hole: copies the bytes about to be cut to
    /// <c>quarantine/&lt;segment&gt;.cut-&lt;offset&gt;</c> (synced), so that nothing readable is destroyed unseen.
    /// </summary>
    private static void KeepCutBytes(SegmentPlan plan, string directory)
    {
        string quarantine = QuarantineDirectory(directory);
        int from = plan.Scan.DataEndOffset;
        byte[] bytes = new byte[plan.Scan.NonZeroEndOffset - from];
        using (SafeFileHandle source = File.OpenHandle(plan.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            RandomAccess.Read(source, bytes, from);
        }

        string target = Path.Combine(quarantine, $"{plan.Scan.FileName}.cut-{from}");
        using (SafeFileHandle copy = File.OpenHandle(target, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            RandomAccess.Write(copy, bytes, 0);
            NativeMethods.SyncData(copy, target);
        }

        NativeMethods.SyncDirectory(quarantine);
    }

    /// <summary>Overwrites the torn bytes with zeros and syncs, so that later appends never sit in front of stale bytes.</summary>
    private static void ZeroTail(string path, long from, long to)
    {
        Debug.Assert(to > from);
        using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        byte[] zeros = new byte[(int)Math.Min(to - from, 1 << 20)];
        for (long offset = from; offset < to; offset += zeros.Length)
        {
            int count = (int)Math.Min(zeros.Length, to - offset);
            RandomAccess.Write(handle, zeros.AsSpan(0, count), offset);
        }

        NativeMethods.SyncData(handle, path);
    }

    /// <summary>
    /// Why <paramref name="kept"/> does not belong to the journal <paramref name="scan"/> found, or null when it does:
    /// its sequence must be within the journal, in a live segment with the first sequence and creation time it names.
    /// </summary>
    private static string? ForeignCheckpoint(DirectoryScan scan, ReplayCheckpoint kept)
    {
        if (kept.Sequence > scan.NextSequence)
        {
            return $"{ReplayCheckpoint.FileName} holds sequence {kept.Sequence}, beyond the journal's end ({scan.NextSequence - 1})";
        }

        SegmentPlan? holder = scan.Segments.FindLast(p => p.IsLive && p.Scan.NameSequence <= kept.Sequence);
        return holder is not null && holder.Scan.NameSequence == kept.SegmentFirstSequence && holder.Scan.CreatedUnixMs == kept.SegmentCreatedUnixMs
            ? null
            : $"{ReplayCheckpoint.FileName} names segment {JournalFormat.SegmentFileName(kept.SegmentFirstSequence)} created at unix ms " +
              $"{kept.SegmentCreatedUnixMs}, which is not in this journal";
    }

    /// <summary>During validation, hands the records below the retain point to the replay handler's <see cref="IJournalReplayHandler.OnRecordBeforeReplayStart"/>.</summary>
    private sealed class BeforeReplayStart(IJournalReplayHandler handler, long replayFrom) : IJournalReplayHandler
    {
        public void OnRecord(in JournalRecord record)
        {
            if (record.Sequence < replayFrom)
            {
                handler.OnRecordBeforeReplayStart(record);
            }
        }
    }

    /// <summary>Hands the records from <paramref name="replayFrom"/> on to <paramref name="handler"/>, reading only the segments that hold them.</summary>
    private static long Replay(DirectoryScan scan, IJournalReplayHandler handler, long replayFrom)
    {
        long delivered = 0;
        List<SegmentPlan> live = scan.Segments.FindAll(p => p.IsLive);
        for (int i = 0; i < live.Count; i++)
        {
            SegmentPlan plan = live[i];
            if (i + 1 < live.Count && live[i + 1].Scan.NameSequence <= replayFrom)
            {
                continue; // every record of this segment is below the retain point
            }

            using SegmentView view = SegmentView.Open(plan.Path);
            SegmentScanResult again = SegmentScan.Scan(view.Span, plan.Scan.FileName, plan.Scan.NameSequence, handler, continueAfterDamage: false,
                deliverAfterDamage: false, deliverFrom: replayFrom);
            delivered += again.RecordsDelivered;
            if (again.RecordCount != plan.Scan.RecordCount || again.Damages.Count != 0)
            {
                throw new IOException(
                    $"segment {plan.Scan.FileName} changed while the journal was being opened ({plan.Scan.RecordCount} records at the first pass, " +
                    $"{again.RecordCount} at replay): is another process writing to '{scan.Directory}'? Stop it and open again.");
            }
        }

        return delivered;
    }
}
