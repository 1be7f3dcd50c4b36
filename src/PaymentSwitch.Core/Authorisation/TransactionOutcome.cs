namespace PaymentSwitch.Core.Authorisation;

/// <summary>How a transaction's answer was reached.</summary>
public enum TransactionOutcome : byte
{
    None,
    /// <summary>The issuer answered in time.</summary>
    IssuerAnswered,
    /// <summary>The issuer did not answer in time (DE39 = 91, and a reversal when the journal is on).</summary>
    TimedOut,
    /// <summary>The switch answered without the issuer (format error, no route, issuer down, shed, …).</summary>
    DeclinedBySwitch,
    /// <summary>Stand-in decision while the issuer was unavailable; nothing was sent to it (an advice follows an approval).</summary>
    StandIn,
    /// <summary>Stand-in decision after the issuer did not answer in time: the request is reversed, and an approval is advised.</summary>
    StandInAfterTimeout,
    /// <summary>
    /// The request was (or may have been) delivered to the issuer but its answer was lost or unreadable (a wallet
    /// issuer's connection dropped, or its body was not a valid answer): DE39 = 91 and a reversal, as for a timeout.
    /// </summary>
    AnswerLost,
    /// <summary>
    /// The issuer approved but its answer cannot be relayed to the acquirer (larger than that connection's frame
    /// limit): DE39 = 96, and the approval is reversed.
    /// </summary>
    AnswerUndeliverable,
}
