using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;
using PaymentSwitch.Journal.Internal;

namespace PaymentSwitch.Journal;

/// <summary>
/// Append-only, checksummed, segmented write-ahead journal with group commit.
/// </summary>
/// <remarks>
/// <para>
/// Appenders encode their record into a bounded pending buffer (under a short lock) and get a
/// <see cref="ValueTask{TResult}"/> that completes with the record's sequence number when the record is durable
/// (see <see cref="DurabilityMode"/>). One writer thread takes everything that arrived while its previous write and
/// <c>fdatasync</c> ran, and writes it with ONE write and ONE <c>fdatasync</c>. Steady-state appends allocate nothing:
/// completions are pooled <see cref="System.Threading.Tasks.Sources.IValueTaskSource{TResult}"/> objects.
/// </para>
/// <para>
/// Bounds: the journal holds at most 2 × <see cref="JournalOptions.MaxPendingBytes"/> of records (one buffer being
/// written, one being filled). When the filling buffer is full, <see cref="AppendAsync"/> waits asynchronously, in
/// arrival order, holding only a reference to the caller's payload; <see cref="TryAppend"/> returns false.
/// </para>
/// <para>
/// Failure: if a write, sync or segment creation fails, the journal stops (see <see cref="JournalFaultedException"/>,
/// <see cref="JournalFullException"/>): the affected appends and all later ones fail, nothing unsynced is ever reported
/// durable, and <see cref="HealthProblem"/> says why.
/// </para>
/// </remarks>
public sealed partial class WriteAheadJournal : IAsyncDisposable
{
    private readonly JournalOptions _options;
    private readonly string _directory;
    private readonly DurabilityMode _durability;
    private readonly int _maxPayloadBytes;
    private readonly SafeFileHandle _lockFile;

    // Append state, guarded by _appendLock.
    private readonly object _appendLock = new();
    private readonly AppendCompletionPool _pool;
    private readonly Queue<AppendCompletion> _waiting = new(256);
    private PendingBatch _filling;
    private long _nextSequence;
    private bool _writerIdle;
    private bool _closing;
    private Exception? _fault;

    // Lock-free copies for readers of the stats.
    private int _pendingRecordsStat;
    private int _pendingBytesStat;
    private int _waitingStat;
    private long _appendsWaitedTotal; // written under _appendLock

    private readonly TaskCompletionSource _writerExited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposeStarted;

    private volatile string? _faultProblem;

    /// <summary>The journal directory (full path).</summary>
    public string Directory => _directory;

    /// <summary>The durability mode this journal was opened with.</summary>
    public DurabilityMode Durability => _durability;

    /// <summary>
    /// Null while the journal is healthy. Otherwise why it should not be given new work: it stopped after a write or
    /// sync failure (permanent until restart), or free disk space fell below <see cref="JournalOptions.MinFreeBytes"/>
    /// (clears itself when space returns). Readiness of the switch should follow this. Never locks.
    /// </summary>
    public string? HealthProblem => _faultProblem ?? _diskProblem;

    /// <summary>True when <see cref="HealthProblem"/> is null.</summary>
    public bool IsWritable => HealthProblem is null;

    /// <summary>Highest sequence known durable (see <see cref="JournalStats.DurableSequence"/>).</summary>
    public long DurableSequence => Volatile.Read(ref _durableSequence);

    /// <summary>
    /// Appends a record. The returned task completes with the record's sequence number once the record is durable
    /// per <see cref="Durability"/>, or fails with <see cref="JournalFaultedException"/> (never reported durable) or
    /// <see cref="ObjectDisposedException"/>. When the pending buffer is full the append waits asynchronously (in
    /// arrival order) for space. <paramref name="payload"/> must stay unchanged until the task completes.
    /// An accepted append cannot be cancelled: it will be written.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Payload longer than <see cref="JournalOptions.MaxRecordPayloadBytes"/>.</exception>
    public ValueTask<long> AppendAsync(byte recordType, ReadOnlyMemory<byte> payload)
    {
        if (payload.Length > _maxPayloadBytes)
        {
            ThrowPayloadTooLarge(payload.Length, _maxPayloadBytes);
        }

        long timestamp = JournalFormat.UnixMsNow();
        lock (_appendLock)
        {
            if (_fault is not null || _closing)
            {
                return RefusedAppend();
            }

            AppendCompletion completion = _pool.Rent();
            if (_waiting.Count == 0 && _filling.Fits(payload.Length))
            {
                _filling.Add(_nextSequence++, timestamp, recordType, payload.Span, completion);
            }
            else
            {
                completion.SetWaiting(recordType, payload, timestamp);
                _waiting.Enqueue(completion);
                Volatile.Write(ref _appendsWaitedTotal, _appendsWaitedTotal + 1);
            }

            AfterAddLocked();
            return new ValueTask<long>(completion, completion.Version);
        }
    }

    /// <summary>
    /// Appends a record if the pending buffer has room now; returns false (nothing appended) when it is full or
    /// other appenders are waiting for space. On true, <paramref name="durable"/> behaves as the task of
    /// <see cref="AppendAsync"/>. The payload is copied before this returns.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Payload longer than <see cref="JournalOptions.MaxRecordPayloadBytes"/>.</exception>
    /// <exception cref="JournalFaultedException">The journal has stopped after a failure.</exception>
    /// <exception cref="ObjectDisposedException">The journal is closing or closed.</exception>
    public bool TryAppend(byte recordType, ReadOnlySpan<byte> payload, out ValueTask<long> durable)
    {
        if (payload.Length > _maxPayloadBytes)
        {
            ThrowPayloadTooLarge(payload.Length, _maxPayloadBytes);
        }

        long timestamp = JournalFormat.UnixMsNow();
        lock (_appendLock)
        {
            if (_fault is not null || _closing)
            {
                ThrowRefused();
            }

            if (_waiting.Count != 0 || !_filling.Fits(payload.Length))
            {
                durable = default;
                return false;
            }

            AppendCompletion completion = _pool.Rent();
            _filling.Add(_nextSequence++, timestamp, recordType, payload, completion);
            AfterAddLocked();
            durable = new ValueTask<long>(completion, completion.Version);
            return true;
        }
    }

    /// <summary>
    /// Tells the journal the oldest sequence the caller still needs, including on a restart (for example the first
    /// record of the oldest transaction that is not final). Closed segments whose records are all below it, and whose
    /// newest record is older than <see cref="JournalOptions.RetentionAge"/>, are archived or deleted by the background
    /// pass. The background pass also keeps it in the directory, and <see cref="Open"/> replays from it: records below
    /// it stay on disk (validated, and read by <see cref="JournalScanner"/>) but are not replayed. Never moves backwards
    /// (a lower value is ignored). The active segment is never retired.
    /// </summary>
    public void SetRetainFrom(long sequence)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        long current = Volatile.Read(ref _retainFrom);
        while (sequence > current)
        {
            long seen = Interlocked.CompareExchange(ref _retainFrom, sequence, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>The oldest sequence the caller said it still needs (<see cref="SetRetainFrom"/>).</summary>
    public long RetainedFrom => Volatile.Read(ref _retainFrom);

    /// <summary>Snapshot of the counters. Never locks.</summary>
    public JournalStats GetStats()
    {
        long fsyncs = Volatile.Read(ref _fsyncCount);
        long synced = Volatile.Read(ref _recordsSynced);
        double tickToMicroseconds = 1_000_000.0 / Stopwatch.Frequency;
        return new JournalStats
        {
            SegmentCount = Volatile.Read(ref _segmentCountStat),
            SegmentBytes = Volatile.Read(ref _segmentBytesStat),
            SegmentsRetired = Volatile.Read(ref _segmentsRetired),
            SegmentsZeroFilled = Volatile.Read(ref _segmentsZeroFilled),
            DirectWrites = Volatile.Read(ref _directWritesStat) != 0,
            RecordsAppended = Volatile.Read(ref _recordsWritten),
            BytesAppended = Volatile.Read(ref _bytesWritten),
            FsyncCount = fsyncs,
            RecordsPerFsyncMean = fsyncs == 0 ? 0 : (double)synced / fsyncs,
            FsyncLatencyMeanMicroseconds = fsyncs == 0 ? 0 : Volatile.Read(ref _fsyncTicksTotal) * tickToMicroseconds / fsyncs,
            FsyncLatencyMaxMicroseconds = Volatile.Read(ref _fsyncTicksMax) * tickToMicroseconds,
            PendingRecords = Volatile.Read(ref _pendingRecordsStat),
            PendingBytes = Volatile.Read(ref _pendingBytesStat),
            WaitingAppenders = Volatile.Read(ref _waitingStat),
            AppendsWaited = Volatile.Read(ref _appendsWaitedTotal),
            LastWrittenSequence = Volatile.Read(ref _lastWrittenSequenceStat),
            DurableSequence = Volatile.Read(ref _durableSequence),
            FreeBytes = Volatile.Read(ref _freeBytes),
            HealthProblem = HealthProblem,
            MaintenanceProblem = _maintenanceProblem,
        };
    }

    /// <summary>
    /// Stops accepting appends, writes and syncs everything already accepted (including appenders waiting for space;
    /// a final <c>fdatasync</c> also in <see cref="DurabilityMode.Batched"/>), closes the files and releases the
    /// directory lock.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposeStarted, 1) != 0)
        {
            await _disposed.Task.ConfigureAwait(false);
            return;
        }

        try
        {
            lock (_appendLock)
            {
                _closing = true;
                WakeWriterLocked();
            }

            await _writerExited.Task.ConfigureAwait(false);
            await _maintenanceTimer.DisposeAsync().ConfigureAwait(false);
            while (Volatile.Read(ref _maintenanceRunning) != 0)
            {
                await Task.Delay(1).ConfigureAwait(false);
            }
        }
        finally
        {
            _lockFile.Dispose();
            _disposed.TrySetResult();
        }
    }

    private void AfterAddLocked()
    {
        _pendingRecordsStat = _filling.Count + _waiting.Count;
        _pendingBytesStat = _filling.LengthBytes;
        _waitingStat = _waiting.Count;
        WakeWriterLocked();
    }

    private void WakeWriterLocked()
    {
        if (_writerIdle)
        {
            _writerIdle = false;
            Monitor.Pulse(_appendLock);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ValueTask<long> RefusedAppend() => ValueTask.FromException<long>(CreateRefusal());

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowRefused() => throw CreateRefusal();

    private Exception CreateRefusal() => _fault is not null
        ? CreateAppendFailure(_fault)
        : new ObjectDisposedException(nameof(WriteAheadJournal), $"the journal in '{_directory}' is closing or closed; the record was not appended");

    private static Exception CreateAppendFailure(Exception fault) => fault is JournalFullException
        ? new JournalFullException(fault.Message, fault)
        : new JournalFaultedException(fault.Message, fault);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowPayloadTooLarge(int length, int max) =>
        throw new ArgumentOutOfRangeException("payload", length, $"journal record payload of {length} bytes exceeds MaxRecordPayloadBytes ({max}); the record was not appended");
}
