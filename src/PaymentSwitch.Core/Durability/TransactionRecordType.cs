namespace PaymentSwitch.Core.Durability;

/// <summary>The record types the switch writes into the journal (the journal itself knows only bytes).</summary>
public enum TransactionRecordType : byte
{
    /// <summary>Rule 1: a request is about to leave for an issuer. Holds everything a reversal needs.</summary>
    Forwarded = 1,
    /// <summary>Rule 2: the issuer's answer, the timeout, or the switch's own decision for a forwarded request.</summary>
    Outcome = 2,
    /// <summary>The acquirer asked to reverse a forwarded request (0400/0420 matched to its original).</summary>
    ReversalRequested = 3,
    /// <summary>The issuer answered the reversal (0430, or the wallet's reversal call): no more retries.</summary>
    ReversalCompleted = 4,
    /// <summary>The issuer answered the 0120 advice of a stand-in approval (0130): no more retries.</summary>
    AdviceCompleted = 5,
    /// <summary>The acquirer reversed a stand-in approval: the reversal of its advice (payload as ReversalRequested).</summary>
    AdviceReversalRequested = 6,
    /// <summary>The issuer answered the reversal of a stand-in advice: no more retries.</summary>
    AdviceReversalCompleted = 7,
}
