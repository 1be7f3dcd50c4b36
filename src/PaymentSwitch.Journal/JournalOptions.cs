namespace PaymentSwitch.Journal;

/// <summary>Settings of a <see cref="WriteAheadJournal"/>. Validated by <see cref="WriteAheadJournal.Open"/>.</summary>
public sealed class JournalOptions
{
    /// <summary>Largest record payload the on-disk format can describe (1 MiB); <see cref="MaxRecordPayloadBytes"/> cannot exceed it.</summary>
    public const int FormatMaxPayloadBytes = 1 << 20;

    /// <summary>Largest <see cref="MaxPendingBytes"/> (64 MiB): no single write of the journal is larger.</summary>
    public const int MaxPendingBytesLimit = 64 * 1024 * 1024;

    /// <summary>Directory holding the segment files (<c>00000000000000000001.wal</c>, …). Created when missing. Required.</summary>
    public string Directory { get; set; } = "";

    /// <summary>When appends complete. Default <see cref="DurabilityMode.Strict"/>.</summary>
    public DurabilityMode Durability { get; set; } = DurabilityMode.Strict;

    /// <summary>
    /// Must be true to open with <see cref="DurabilityMode.None"/>; a guard so that the unsafe mode can never be
    /// switched on by a single configuration value.
    /// </summary>
    public bool AllowUnsafeDurabilityNone { get; set; }

    /// <summary>
    /// Size of each segment file, preallocated when the segment is created; a new segment starts when the next
    /// record does not fit. Default 64 MiB; between 64 KiB and 1 GiB, and large enough for one record of
    /// <see cref="MaxRecordPayloadBytes"/>.
    /// </summary>
    public long SegmentSizeBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Strict and Batched: once the active segment is half full, write the next segment's whole file with zeros (and
    /// sync it) in the background, and start the next segment in that file. Default true. Appends into blocks that were
    /// only preallocated make every fdatasync also record that those blocks now hold data (file-system metadata);
    /// into blocks already written they are a plain data flush: an 8 KiB append plus fdatasync took 0.79–0.82 times as
    /// long on this project's disk (<c>SegmentZeroFillBenchmarks</c>: 89 → 69 µs and 102 → 83 µs in two runs). Costs
    /// one segment's worth of extra disk writes per segment. False preallocates only (posix_fallocate).
    /// </summary>
    public bool ZeroFillSegments { get; set; } = true;

    /// <summary>
    /// Strict only: write the active segment with <c>O_DIRECT | O_DSYNC</c> (Linux x64 and arm64), so one write both
    /// stores a batch and makes it durable, without a copy into the page cache and a separate fdatasync. Default true.
    /// Where the file system refuses direct I/O (ramfs, for one) or the segment size is not a multiple of 4 KiB, the
    /// journal writes through the page cache and fdatasyncs as before; <see cref="JournalStats.DirectWrites"/> says
    /// which is in use. The fsync statistics then count and time these writes.
    /// </summary>
    public bool DirectWrites { get; set; } = true;

    /// <summary>
    /// Bound of the buffer where appended records wait for the writer. While the writer writes one full buffer,
    /// appenders fill a second one of the same size, so the journal holds at most twice this many bytes of records.
    /// When the buffer is full, <see cref="WriteAheadJournal.AppendAsync"/> waits (asynchronously, in arrival order)
    /// until the writer takes the buffer; <see cref="WriteAheadJournal.TryAppend"/> returns false instead.
    /// Default 1 MiB; at least one record of <see cref="MaxRecordPayloadBytes"/> (plus its 28-byte header), at most 64 MiB.
    /// </summary>
    public int MaxPendingBytes { get; set; } = 1024 * 1024;

    /// <summary>Largest payload one append may carry; larger payloads are refused with an <see cref="ArgumentOutOfRangeException"/>. Default 64 KiB.</summary>
    public int MaxRecordPayloadBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// For <see cref="DurabilityMode.Batched"/>: the longest time written records stay without <c>fdatasync</c>,
    /// and so the amount of completed appends an operating-system crash or power loss can lose. Default 10 ms; 1–10,000.
    /// </summary>
    public int BatchedWindowMs { get; set; } = 10;

    /// <summary>
    /// Free space on the journal's file system below which <see cref="WriteAheadJournal.HealthProblem"/> is set
    /// (checked every <see cref="HealthCheckIntervalMs"/> and at each new segment). Appends still go on while
    /// space remains, so that work in flight can finish; readiness should turn off on the health flag.
    /// Default 256 MiB; 0 turns the check off.
    /// </summary>
    public long MinFreeBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Interval of the background free-space check and retention pass. Default 1,000 ms; 10–600,000.</summary>
    public int HealthCheckIntervalMs { get; set; } = 1000;

    /// <summary>
    /// A closed segment is retired (archived or deleted) only when all its records are below the sequence given to
    /// <see cref="WriteAheadJournal.SetRetainFrom"/> AND its last record is older than this. Default 1 hour.
    /// </summary>
    public TimeSpan RetentionAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Where retired segments are moved; null deletes them. May be on another file system (then they are copied and synced first).</summary>
    public string? ArchiveDirectory { get; set; }

    /// <summary>
    /// When a segment is damaged before its tail (a bad record followed by valid ones, or damage in a segment that is
    /// not the last), move it to <c>quarantine/</c> under <see cref="Directory"/>, report it in the
    /// <see cref="RecoveryReport"/>, and open without its records, instead of refusing to open. Default false.
    /// </summary>
    public bool QuarantineDamagedSegments { get; set; }

    /// <summary>
    /// A durable batch with at most this many appends is completed on the writer thread itself, right after its write
    /// (and fdatasync): no thread-pool hop, which at low and medium rates is most of the cost and latency of a record.
    /// Larger batches are completed in runs of 32 on the thread pool, so the writer goes back to the next write. 0 keeps
    /// every continuation off the writer thread. Continuations must not block: on the writer they would stall every append.
    /// </summary>
    public int InlineCompletionMax { get; set; } = 8;

    /// <summary>Told around each run of completions (see <see cref="ICompletionRunScope"/>); null for none.</summary>
    public ICompletionRunScope? CompletionRunScope { get; set; }

    /// <summary>
    /// Called on the writer thread after every fdatasync of segment data returns, with how long it took in
    /// <see cref="System.Diagnostics.Stopwatch"/> ticks (for a latency histogram; <see cref="JournalStats"/> keeps only the
    /// mean and the maximum). Must be quick and must not block; an exception from it is not the disk's fault, so the
    /// journal ignores it. Null for none.
    /// </summary>
    public Action<long>? SyncObserver { get; set; }

    /// <summary>Returns a copy (Open keeps its own copy so later changes to this instance have no effect).</summary>
    public JournalOptions Clone() => (JournalOptions)MemberwiseClone();
}
