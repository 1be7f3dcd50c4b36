using PaymentSwitch.Core.Durability;
using PaymentSwitch.Core.Issuers;

namespace PaymentSwitch.Core.Reversals;

/// <summary>Why a reversal is owed.</summary>
public enum ReversalReason : byte
{
    /// <summary>The issuer did not answer in time, or answered after the timeout (the outcome is unknown).</summary>
    Timeout = 1,
    /// <summary>The switch crashed between sending the request and making the answer durable.</summary>
    Recovery = 2,
    /// <summary>The acquirer sent 0400/0420 for the original.</summary>
    Acquirer = 3,
    /// <summary>The answer could not be made durable, so the acquirer was told 96.</summary>
    JournalFailure = 4,
    /// <summary>Not a reversal: the 0120 advice of a stand-in approval.</summary>
    StandIn = 5,
    /// <summary>The issuer approved, but the acquirer's connection closed (or stopped reading) before the approval reached it.</summary>
    UndeliveredApproval = 6,
}

/// <summary>
/// One reversal (or stand-in advice) the switch owes an issuer: the original request (from its Forwarded record) and the retry state.
/// Sent as 0420, then 0421 with backoff, until the issuer answers.
/// </summary>
public sealed class PendingReversal(ForwardedRecord original, long forwardedSequence, ReversalReason reason, string? standInApprovalCode = null, bool reversesAdvice = false)
{
    /// <summary>An 0120 advice of a stand-in approval rather than a reversal.</summary>
    public bool IsAdvice => StandInApprovalCode is not null && !ReversesAdvice;

    /// <summary>A reversal of the advice of a stand-in approval (the acquirer reversed it): DE90 names the advice.</summary>
    public bool ReversesAdvice { get; } = reversesAdvice;

    /// <summary>For advices: the approval code the switch gave in stand-in (DE38).</summary>
    public string? StandInApprovalCode { get; } = standInApprovalCode;

    /// <summary>Key in the store-and-forward queue: a reversal and an advice may be owed for the same original.</summary>
    internal long QueueKey => (ForwardedSequence * 4) + (IsAdvice ? 1 : ReversesAdvice ? 2 : 0);

    public ForwardedRecord Original { get; } = original;

    /// <summary>Journal sequence of the original's Forwarded record: the reversal's identity.</summary>
    public long ForwardedSequence { get; } = forwardedSequence;

    public ReversalReason Reason { get; } = reason;

    /// <summary>Attempts sent so far (0: the next is the first, an 0420; later ones are 0421 repeats).</summary>
    public int Attempts { get; internal set; }

    /// <summary><see cref="System.Diagnostics.Stopwatch"/> timestamp before which no new attempt is made.</summary>
    internal long NextAttemptTimestamp;

    /// <summary>An attempt is waiting for the issuer's answer.</summary>
    internal bool InFlight;

    internal IssuerLink? Link;

    /// <summary>Set once the issuer answered and the completion is durable.</summary>
    public bool Completed { get; internal set; }
}
