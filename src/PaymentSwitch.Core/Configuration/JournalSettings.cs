using PaymentSwitch.Journal;

namespace PaymentSwitch.Core.Configuration;

/// <summary>Write-ahead journal settings (see the Journal project for what each mode promises).</summary>
public sealed class JournalSettings
{
    /// <summary>Folder of the journal segments; relative to the config file.</summary>
    public string Directory { get; set; } = "data/journal";

    /// <summary><c>strict</c> (default), <c>batched</c>, or <c>none</c> (measurement only; refused unless <see cref="AllowUnsafeNone"/>).</summary>
    public string Durability { get; set; } = "strict";

    /// <summary><see cref="Durability"/> as the journal's mode (strict when it names none: the validator refuses that).</summary>
    public DurabilityMode DurabilityMode => TryParseDurability(Durability, out DurabilityMode mode) ? mode : DurabilityMode.Strict;

    /// <summary>The journal mode named <c>strict</c>, <c>batched</c> or <c>none</c>; false for any other text.</summary>
    public static bool TryParseDurability(string? text, out DurabilityMode mode)
    {
        (bool known, mode) = text switch
        {
            "strict" => (true, DurabilityMode.Strict),
            "batched" => (true, DurabilityMode.Batched),
            "none" => (true, DurabilityMode.None),
            _ => (false, DurabilityMode.Strict),
        };
        return known;
    }

    /// <summary>Must be true to start with durability <c>none</c>.</summary>
    public bool AllowUnsafeNone { get; set; }

    /// <summary>Batched mode: the longest a record waits for its fsync (and what a crash can lose).</summary>
    public int BatchedWindowMs { get; set; } = 5;

    public long SegmentSizeBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Write the next segment's file with zeros in the background (once the active one is half full), so that each
    /// fdatasync flushes data only, not also the file system's record of newly used blocks.
    /// </summary>
    public bool ZeroFillSegments { get; set; } = true;

    /// <summary>
    /// Strict: write the active segment with O_DIRECT | O_DSYNC, one system call per group commit instead of a write
    /// and an fdatasync (falls back to those where the file system refuses direct I/O).
    /// </summary>
    public bool DirectWrites { get; set; } = true;

    /// <summary>Readiness turns off when the journal's disk has less free space than this.</summary>
    public long MinFreeBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>
    /// A closed segment whose transactions are all final is removed (or archived) after this many hours. Replay on
    /// start reads what is retained, so keep it modest (the duplicate window is minutes); archive for longer keeping.
    /// </summary>
    public double RetentionHours { get; set; } = 1;

    /// <summary>
    /// A durable batch of at most this many records is completed on the journal's writer thread (no thread-pool hop:
    /// lower latency and CPU at low and medium rates); larger batches on the thread pool. 0 to 32; 0 never on the writer.
    /// 32 (a whole completion run) took 0.35-2.1 µs (median 0.8) less switch CPU per authorisation than 8 at 50,000/s
    /// strict, where batches hold 20-25 records: 7 of 7 alternating rounds, 2026-11-22 21:02-21:17 UTC, the way
    /// perf/ab.sh measures. No different at 100,000/s (3 rounds each, 21:18-21:20). With 400 connections at 50,000/s,
    /// where one batch's replies go to many connections (sent on the writer at the end of its run), CPU the same and
    /// p99 28-49 ms against 42-186 ms (CONNECTIONS=400, 3 rounds, 22:14-22:15). TLS connections were not measured.
    /// </summary>
    public int InlineCompletionMax { get; set; } = 32;

    /// <summary>Where removed segments are moved; empty deletes them.</summary>
    public string? ArchiveDirectory { get; set; }

    /// <summary>Start even when a segment is damaged before its tail, moving it aside (data in it is lost to replay).</summary>
    public bool QuarantineDamagedSegments { get; set; }

    /// <summary>AES-256 key (base64, 32 bytes) for card numbers in the journal. Prefer the environment: PAYMENTSWITCH_Journal__PanKey.</summary>
    public string? PanKey { get; set; }

    /// <summary>Identifier of <see cref="PanKey"/>, stored with every encrypted card number (for key rotation).</summary>
    public string PanKeyId { get; set; } = "k1";
}
