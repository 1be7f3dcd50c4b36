namespace PaymentSwitch.Journal;

/// <summary>Receives records in sequence order during replay (<see cref="WriteAheadJournal.Open"/>) or a scan (<see cref="JournalScanner"/>).</summary>
public interface IJournalReplayHandler
{
    /// <summary>
    /// Called once per valid record. <see cref="JournalRecord.Payload"/> is only valid during the call: copy what
    /// must be kept. An exception thrown here stops the open or scan and propagates to its caller.
    /// </summary>
    void OnRecord(in JournalRecord record);

    /// <summary>
    /// <see cref="WriteAheadJournal.Open"/> only: called once per valid record below the persisted retain point (the
    /// records <see cref="OnRecord"/> does not get), in sequence order, before any <see cref="OnRecord"/> call, while
    /// the segments are validated. For the little a replay needs from older records; keep it cheap. When the retain
    /// point then turns out not to belong to this journal, every record also goes to <see cref="OnRecord"/> after.
    /// Does nothing unless implemented.
    /// </summary>
    void OnRecordBeforeReplayStart(in JournalRecord record)
    {
    }
}
