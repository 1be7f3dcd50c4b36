namespace PaymentSwitch.Host.Commands.Journal;

/// <summary>Which records <c>journal dump --type</c> keeps.</summary>
internal enum JournalRecordKind : byte
{
    All,
    Forwarded,
    Outcome,

    /// <summary>ReversalRequested and ReversalCompleted, and the same for the advice of a stand-in approval.</summary>
    Reversal,

    /// <summary>AdviceCompleted (the issuer answered the advice of a stand-in approval).</summary>
    Advice,
}
