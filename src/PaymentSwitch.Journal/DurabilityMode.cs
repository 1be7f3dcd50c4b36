namespace PaymentSwitch.Journal;

/// <summary>When an append is reported complete.</summary>
public enum DurabilityMode
{
    /// <summary>
    /// Default. An append completes only after the record was written and <c>fdatasync</c> returned for it.
    /// A completed append survives a process crash, an operating-system crash and power loss (as far as the
    /// disk honours cache flushes). Concurrent appends share one write and one <c>fdatasync</c> (group commit).
    /// </summary>
    Strict = 0,

    /// <summary>
    /// An append completes once the record was written to the operating system (page cache);
    /// <c>fdatasync</c> runs at most every <see cref="JournalOptions.BatchedWindowMs"/> milliseconds.
    /// A process crash loses nothing that completed, but an operating-system crash or power loss can lose the
    /// records of the last <see cref="JournalOptions.BatchedWindowMs"/> milliseconds that were already reported
    /// complete. Do not use where money safety depends on completed appends.
    /// </summary>
    Batched = 1,

    /// <summary>
    /// No <c>fdatasync</c> at all (segment files and headers are not synced either). For measurement only:
    /// an operating-system crash or power loss can lose or damage any amount of recent data.
    /// Opening a journal with this mode is refused unless <see cref="JournalOptions.AllowUnsafeDurabilityNone"/> is set.
    /// </summary>
    None = 2,
}
