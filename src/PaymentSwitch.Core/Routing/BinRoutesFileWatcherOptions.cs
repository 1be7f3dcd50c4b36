namespace PaymentSwitch.Core.Routing;

/// <summary>Settings for <see cref="BinRoutesFileWatcher"/>.</summary>
public sealed class BinRoutesFileWatcherOptions
{
    /// <summary>Quiet time after the last change notification before the file is read (editors save in several steps).</summary>
    public int DebounceMs { get; init; } = 250;

    /// <summary>
    /// How many times an unreadable or incomplete file (not valid JSON yet: still being written) is read before the
    /// reload is reported as rejected. At least 1.
    /// </summary>
    public int ReadAttempts { get; init; } = 5;

    /// <summary>Pause between read attempts.</summary>
    public int RetryDelayMs { get; init; } = 200;

    /// <summary>Largest file accepted (a million routes take about 60 MB of JSON).</summary>
    public long MaxFileSizeBytes { get; init; } = 256L * 1024 * 1024;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(DebounceMs);
        ArgumentOutOfRangeException.ThrowIfLessThan(ReadAttempts, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(RetryDelayMs);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFileSizeBytes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxFileSizeBytes, Array.MaxLength);
    }
}
