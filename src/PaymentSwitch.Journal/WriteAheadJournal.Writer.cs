using System.Diagnostics;
using PaymentSwitch.Journal.Internal;

namespace PaymentSwitch.Journal;

public sealed partial class WriteAheadJournal
{
    // Writer-thread state.
    private readonly Thread _writer;
    private OpenSegment _active;
    private readonly SegmentPreparer? _preparer;
    private readonly DirectSegmentWriter? _direct; // Strict with JournalOptions.DirectWrites, where the platform allows
    private bool _directActive;                    // the active segment is written through _direct
    private int _directWritesStat;                 // 1 while _directActive (read by anyone, Volatile)
    private long _segmentsZeroFilled; // written by the writer, read by anyone (Volatile)
    private PendingBatch? _spare;
    private readonly System.Collections.Concurrent.ConcurrentBag<CompletionRun> _completionRuns = new();
    private bool _unsynced;
    private long _recordsSinceSync;
    private long _lastSyncTimestamp;
    private long _lastWrittenSequence;
    private int _lastBatchRecords;
    private long _fsyncEwmaTicks;
    private static readonly long s_maxLingerTicks = Stopwatch.Frequency / 4000; // 250 µs
    private static readonly long s_unsyncedLingerTicks = Stopwatch.Frequency / 50_000; // 20 µs (Batched, None)

    // Written by the writer only, read by anyone (Volatile).
    private long _lastWrittenSequenceStat;
    private long _durableSequence;
    private long _recordsWritten;
    private long _bytesWritten;
    private long _fsyncCount;
    private long _recordsSynced;
    private long _fsyncTicksTotal;
    private long _fsyncTicksMax;

    /// <summary>
    /// The single writer: waits for records, swaps the filling buffer for the spare one, admits appenders waiting for
    /// space, then writes the whole batch with one write and (Strict) one fdatasync, and completes its appends.
    /// </summary>
    private void WriterLoop()
    {
        try
        {
            while (true)
            {
                bool haveRecords;
                bool syncDue = false;
                lock (_appendLock)
                {
                    while (_filling.Count == 0 && !_closing)
                    {
                        Debug.Assert(_waiting.Count == 0, "appenders wait only while the filling buffer holds records");
                        if (_durability == DurabilityMode.Batched && _unsynced)
                        {
                            long waitMs = _options.BatchedWindowMs - (long)Stopwatch.GetElapsedTime(_lastSyncTimestamp).TotalMilliseconds;
                            if (waitMs <= 0)
                            {
                                syncDue = true;
                                break;
                            }

                            _writerIdle = true;
                            Monitor.Wait(_appendLock, (int)waitMs);
                            _writerIdle = false;
                        }
                        else
                        {
                            _writerIdle = true;
                            Monitor.Wait(_appendLock);
                            _writerIdle = false;
                        }
                    }

                    haveRecords = _filling.Count > 0;
                }

                if (haveRecords)
                {
                    LingerForReturningAppenders();

                    PendingBatch batch;
                    lock (_appendLock)
                    {
                        Debug.Assert(_spare is not null);
                        batch = _filling;
                        _filling = _spare;
                        _spare = null;
                        AdmitWaitingLocked();
                    }

                    WriteBatch(batch);
                    _lastBatchRecords = batch.Count;
                    batch.Clear();
                    _spare = batch;
                }
                else if (syncDue)
                {
                    Sync();
                }
                else
                {
                    break; // closing, and nothing left
                }
            }

            if (_unsynced && _durability != DurabilityMode.None)
            {
                Sync();
            }
        }
        catch (Exception ex)
        {
            Fault(ex);
        }
        finally
        {
            _preparer?.Dispose();
            _direct?.Dispose();
            _active.Dispose();
            _writerExited.TrySetResult();
        }
    }

    /// <summary>
    /// Group-commit linger. The appenders released by the previous fdatasync come back over some tens of
    /// microseconds (thread-pool dispatch); the first one to return wakes the writer. Taking the buffer at once would
    /// split them into two alternating half-size batches, halving records per fsync. So while fewer records are
    /// buffered than the previous batch held, the writer yields the CPU for at most a quarter of the recent fsync
    /// time (never more than 250 µs; 20 µs in Batched and None, where no fsync is waited for), then writes whatever it
    /// has. A lone appender (previous batch of 1) never waits.
    /// </summary>
    private void LingerForReturningAppenders()
    {
        int target = _lastBatchRecords;
        if (Volatile.Read(ref _pendingRecordsStat) >= target)
        {
            return;
        }

        long limitTicks = _durability == DurabilityMode.Strict ? Math.Min(_fsyncEwmaTicks / 4, s_maxLingerTicks) : s_unsyncedLingerTicks;
        long start = Stopwatch.GetTimestamp();
        while (Volatile.Read(ref _pendingRecordsStat) < target
            && Volatile.Read(ref _waitingStat) == 0
            && !Volatile.Read(ref _closing)
            && Stopwatch.GetTimestamp() - start < limitTicks)
        {
            Thread.Yield();
        }
    }

    /// <summary>Moves appenders that waited for space into the (empty) filling buffer, in arrival order.</summary>
    private void AdmitWaitingLocked()
    {
        while (_waiting.TryPeek(out AppendCompletion? waiter) && _filling.Fits(waiter.WaitingPayload.Length))
        {
            _waiting.Dequeue();
            _filling.Add(_nextSequence++, waiter.WaitingTimestampUnixMs, waiter.WaitingRecordType, waiter.WaitingPayload.Span, waiter);
            waiter.ClearWaiting();
        }

        _pendingRecordsStat = _filling.Count + _waiting.Count;
        _pendingBytesStat = _filling.LengthBytes;
        _waitingStat = _waiting.Count;
    }

    private void WriteBatch(PendingBatch batch)
    {
        int index = 0;
        int offset = 0;
        try
        {
            while (index < batch.Count)
            {
                long room = _active.RoomBytes;
                int next = index;
                int end = offset;
                while (next < batch.Count && batch.RecordEnd(next) - offset <= room)
                {
                    end = batch.RecordEnd(next);
                    next++;
                }

                if (next == index)
                {
                    Roll(batch.FirstSequence + index);
                    continue;
                }

                long writeStart = Stopwatch.GetTimestamp();
                if (_directActive)
                {
                    _direct!.Write(batch.Bytes[offset..end], _active.WriteOffset); // durable on return (O_DSYNC)
                }
                else
                {
                    RandomAccess.Write(_active.Handle, batch.Bytes[offset..end], _active.WriteOffset);
                }

                _active.WriteOffset += end - offset;
                if (_preparer is { Started: false } && _active.WriteOffset > _active.CapacityBytes / 2)
                {
                    _preparer.Start(); // the next segment's file, zero-filled in the background
                }

                int written = next - index;
                long lastSequence = batch.FirstSequence + next - 1;
                int lastRecordStart = next - 1 == 0 ? 0 : batch.RecordEnd(next - 2);
                _active.Entry.LastTimestampUnixMs = JournalFormat.ReadTimestamp(batch.Bytes.Slice(lastRecordStart));
                _lastWrittenSequence = lastSequence;
                _recordsSinceSync += written;
                _unsynced = true;
                Volatile.Write(ref _recordsWritten, _recordsWritten + written);
                Volatile.Write(ref _bytesWritten, _bytesWritten + (end - offset));
                Volatile.Write(ref _lastWrittenSequenceStat, lastSequence);

                switch (_durability)
                {
                    case DurabilityMode.Strict:
                        if (_directActive)
                        {
                            RecordSync(writeStart, Stopwatch.GetTimestamp() - writeStart);
                        }
                        else
                        {
                            Sync();
                        }

                        break;
                    case DurabilityMode.Batched:
                        if (Stopwatch.GetElapsedTime(_lastSyncTimestamp).TotalMilliseconds >= _options.BatchedWindowMs)
                        {
                            Sync();
                        }

                        break;
                    default:
                        _unsynced = false;
                        Volatile.Write(ref _durableSequence, lastSequence);
                        break;
                }

                CompleteDurable(batch, index, next);

                index = next;
                offset = end;
            }
        }
        catch (Exception ex)
        {
            Exception failure = TranslateWriteFailure(ex);
            _faultProblem ??= failure.Message; // published before any appender learns of the failure
            for (int k = index; k < batch.Count; k++)
            {
                batch.TakeCompletion(k)?.SetException(CreateAppendFailure(failure));
            }

            throw failure;
        }
    }

    /// <summary>
    /// Completes the appends of records <paramref name="from"/>..<paramref name="to"/> (exclusive): on this (the writer)
    /// thread when there are at most <see cref="JournalOptions.InlineCompletionMax"/>, otherwise in runs of
    /// <see cref="CompletionRun.Capacity"/> on the thread pool.
    /// </summary>
    private void CompleteDurable(PendingBatch batch, int from, int to)
    {
        bool onWriter = to - from <= _options.InlineCompletionMax;
        CompletionRun? run = null;
        for (int k = from; k < to; k++)
        {
            AppendCompletion? completion = batch.TakeCompletion(k);
            if (completion is null)
            {
                continue;
            }

            run ??= CompletionRun.Rent(_completionRuns, _options.CompletionRunScope);
            run.Add(completion, batch.FirstSequence + k);
            if (run.IsFull && !onWriter) // on the writer the whole batch fits one run (InlineCompletionMax <= Capacity)
            {
                run.Dispatch();
                run = null;
            }
        }

        if (run is null)
        {
            return;
        }

        if (onWriter)
        {
            run.ExecuteOnWriter();
        }
        else
        {
            run.Dispatch();
        }
    }

    /// <summary>fdatasync of the active segment; everything written so far becomes durable.</summary>
    private void Sync()
    {
        long start = Stopwatch.GetTimestamp();
        NativeMethods.SyncData(_active.Handle, _active.Path);
        RecordSync(start, Stopwatch.GetTimestamp() - start);
    }

    /// <summary>
    /// Everything written so far is durable, after <paramref name="ticks"/> spent on an fdatasync or on a direct,
    /// synchronous write (which the statistics count as the fsync it replaces).
    /// </summary>
    private void RecordSync(long start, long ticks)
    {
        _lastSyncTimestamp = start + ticks;
        _unsynced = false;
        Volatile.Write(ref _fsyncCount, _fsyncCount + 1);
        Volatile.Write(ref _recordsSynced, _recordsSynced + _recordsSinceSync);
        Volatile.Write(ref _fsyncTicksTotal, _fsyncTicksTotal + ticks);
        if (ticks > _fsyncTicksMax)
        {
            Volatile.Write(ref _fsyncTicksMax, ticks);
        }

        _recordsSinceSync = 0;
        _fsyncEwmaTicks = _fsyncEwmaTicks == 0 ? ticks : ((_fsyncEwmaTicks * 7) + ticks) / 8;
        Volatile.Write(ref _durableSequence, _lastWrittenSequence);
        ObserveSync(ticks);
    }

    private void ObserveSync(long ticks)
    {
        if (_options.SyncObserver is not { } observe)
        {
            return;
        }

        try
        {
            observe(ticks);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A broken observer must not stop the journal: the data is durable either way (documented on the option).
            _ = ex;
        }
    }

    /// <summary>
    /// Closes the full segment (synced first, so a non-last segment never has a torn tail) and creates the next one,
    /// named after its first sequence.
    /// </summary>
    private void Roll(long firstSequence)
    {
        Debug.Assert(firstSequence == _lastWrittenSequence + 1);
        if (_unsynced && _durability != DurabilityMode.None)
        {
            Sync();
        }

        bool sync = _durability != DurabilityMode.None;
        OpenSegment? next = _preparer?.TryTake(firstSequence, sync);
        if (next is not null)
        {
            Volatile.Write(ref _segmentsZeroFilled, _segmentsZeroFilled + 1);
        }

        next ??= OpenSegment.Create(_directory, firstSequence, _options.SegmentSizeBytes, sync);
        OpenSegment previous = _active;
        lock (_segmentsLock)
        {
            _segments.Add(next.Entry);
            _active = next;
        }

        AttachDirect();
        previous.Dispose();
        PublishSegmentStats();
        CheckFreeSpace();
    }

    /// <summary>
    /// Strict with direct writes: opens the active segment for them. Where that is not possible (see
    /// <see cref="DirectSegmentWriter.TryAttach"/>) this segment is written through the page cache and fdatasync'd.
    /// </summary>
    private void AttachDirect()
    {
        if (_direct is null)
        {
            return;
        }

        _directActive = false; // stays so if the open throws (the journal then faults)
        Volatile.Write(ref _directWritesStat, 0);
        if (_direct.TryAttach(_active.Path, _active.WriteOffset, _active.CapacityBytes))
        {
            _directActive = true;
            Volatile.Write(ref _directWritesStat, 1);
        }
    }

    private Exception TranslateWriteFailure(Exception ex)
    {
        if (ex is JournalFaultedException)
        {
            return ex;
        }

        if (NativeMethods.IsDiskFull(ex))
        {
            return new JournalFullException(
                $"journal disk full while writing '{_active.Path}': {ex.Message}. The journal stopped; the records of the failed write " +
                "were not reported durable. Free space on that file system and restart.", ex);
        }

        return new JournalFaultedException(
            $"journal write or sync failed on '{_active.Path}': {ex.Message}. The journal stopped; the records of the failed write were " +
            "not reported durable (they may still appear after restart: treat their outcome as unknown). Check the disk and restart.", ex);
    }

    /// <summary>Stops the journal: every buffered and waiting append fails, later appends are refused.</summary>
    private void Fault(Exception ex)
    {
        Exception failure = TranslateWriteFailure(ex);
        _faultProblem ??= failure.Message; // published before any appender learns of the failure
        lock (_appendLock)
        {
            if (_fault is not null)
            {
                return;
            }

            _fault = failure;
            for (int k = 0; k < _filling.Count; k++)
            {
                _filling.TakeCompletion(k)?.SetException(CreateAppendFailure(failure));
            }

            _filling.Clear();
            while (_waiting.TryDequeue(out AppendCompletion? waiter))
            {
                waiter.ClearWaiting();
                waiter.SetException(CreateAppendFailure(failure));
            }

            _pendingRecordsStat = 0;
            _pendingBytesStat = 0;
            _waitingStat = 0;
        }
    }
}
