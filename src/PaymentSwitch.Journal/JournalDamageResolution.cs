namespace PaymentSwitch.Journal;

/// <summary>What <see cref="WriteAheadJournal.Open"/> does (or, in a <see cref="JournalScanner"/> report, would do) about a damage.</summary>
public enum JournalDamageResolution
{
    /// <summary>Torn tail of the last segment (a crash during the last write): the bytes are zeroed and appends continue before them.</summary>
    TailCut,

    /// <summary>Open refuses (<see cref="JournalCorruptException"/>): the damage is not explained by a crash during the last write.</summary>
    RefusesOpen,

    /// <summary>The damaged segment was moved to <c>quarantine/</c> (option <see cref="JournalOptions.QuarantineDamagedSegments"/>); its records are not replayed.</summary>
    Quarantined,

    /// <summary>An empty last segment whose creation a crash interrupted was removed; it held no records.</summary>
    IncompleteSegmentRemoved,

    /// <summary>A gap between segments is explained by a segment quarantined earlier (its file is in <c>quarantine/</c>); reported, not blocking.</summary>
    GapCoveredByQuarantine,

    /// <summary>Reported by <see cref="JournalScanner"/> only: bytes skipped between damage and the next readable record.</summary>
    SkippedByScanner,
}
