namespace PaymentSwitch.Journal;

/// <summary>
/// The journal's file system is full (ENOSPC while preallocating a segment, writing or syncing).
/// The journal has stopped, as for any <see cref="JournalFaultedException"/>: free space and restart.
/// </summary>
public sealed class JournalFullException : JournalFaultedException
{
    /// <summary>Creates the exception.</summary>
    public JournalFullException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
