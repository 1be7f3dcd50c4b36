namespace PaymentSwitch.Journal;

/// <summary>A snapshot of journal counters for the operator status page. Counters run from the open.</summary>
public readonly record struct JournalStats
{
    /// <summary>Live segment files (including the active one).</summary>
    public int SegmentCount { get; init; }

    /// <summary>Bytes of live segment files (preallocated size).</summary>
    public long SegmentBytes { get; init; }

    /// <summary>Segments archived or deleted by retention.</summary>
    public long SegmentsRetired { get; init; }

    /// <summary>Segments since open that started in a file zero-filled ahead of need (<see cref="JournalOptions.ZeroFillSegments"/>).</summary>
    public long SegmentsZeroFilled { get; init; }

    /// <summary>True while the active segment is written with direct, synchronous writes (<see cref="JournalOptions.DirectWrites"/>).</summary>
    public bool DirectWrites { get; init; }

    /// <summary>Records written since open.</summary>
    public long RecordsAppended { get; init; }

    /// <summary>Record bytes (headers and payloads) written since open.</summary>
    public long BytesAppended { get; init; }

    /// <summary>fdatasync calls on segment data since open (group commits).</summary>
    public long FsyncCount { get; init; }

    /// <summary>Mean records made durable per fdatasync.</summary>
    public double RecordsPerFsyncMean { get; init; }

    /// <summary>Mean fdatasync duration, microseconds.</summary>
    public double FsyncLatencyMeanMicroseconds { get; init; }

    /// <summary>Longest fdatasync duration, microseconds.</summary>
    public double FsyncLatencyMaxMicroseconds { get; init; }

    /// <summary>Records waiting for the writer (buffered plus appenders waiting for buffer space).</summary>
    public int PendingRecords { get; init; }

    /// <summary>Bytes in the buffer the appenders are filling.</summary>
    public int PendingBytes { get; init; }

    /// <summary>Appenders waiting for buffer space (backpressure).</summary>
    public int WaitingAppenders { get; init; }

    /// <summary>Appends since open that found the pending buffer full and waited for the writer (backpressure).</summary>
    public long AppendsWaited { get; init; }

    /// <summary>Highest sequence written to the file.</summary>
    public long LastWrittenSequence { get; init; }

    /// <summary>Highest sequence known durable (fdatasync returned after it was written); in mode None, the last written.</summary>
    public long DurableSequence { get; init; }

    /// <summary>Free bytes on the journal's file system at the last check (-1 before the first check).</summary>
    public long FreeBytes { get; init; }

    /// <summary>Same as <see cref="WriteAheadJournal.HealthProblem"/> when the snapshot was taken.</summary>
    public string? HealthProblem { get; init; }

    /// <summary>Last failure of the background retention/free-space pass, or null.</summary>
    public string? MaintenanceProblem { get; init; }
}
