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
}
