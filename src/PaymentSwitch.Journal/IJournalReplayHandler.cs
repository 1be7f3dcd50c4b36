namespace PaymentSwitch.Journal;

/// <summary>Receives records in sequence order during replay (<see cref="WriteAheadJournal.Open"/>) or a scan (<see cref="JournalScanner"/>).</summary>
public interface IJournalReplayHandler
{
    /// <summary>
    /// Called once per valid record. <see cref="JournalRecord.Payload"/> is only valid during the call: copy what
    /// must be kept. An exception thrown here stops the open or scan and propagates to its caller.
    /// </summary>
    void OnRecord(in JournalRecord record);
}
