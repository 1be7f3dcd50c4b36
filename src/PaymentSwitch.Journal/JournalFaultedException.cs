namespace PaymentSwitch.Journal;

/// <summary>
/// The journal could not write or sync and has stopped: this append, every append waiting with it and every later
/// append fail with this exception, and none of them was reported durable. Such a record may still be found on disk
/// after a restart (the write may have reached the disk before the failure was seen), so callers must treat its
/// outcome as unknown. Reopening the journal (after fixing the cause) runs the recovery scan.
/// </summary>
public class JournalFaultedException : IOException
{
    /// <summary>Creates the exception.</summary>
    public JournalFaultedException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
