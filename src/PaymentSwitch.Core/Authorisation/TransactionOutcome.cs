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
}
