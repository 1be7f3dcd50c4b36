namespace PaymentSwitch.Core.Durability;

/// <summary>
/// Where a forwarded transaction stands in the reconciliation, from its Outcome record (or the lack of one).
/// <see cref="Approved"/> and <see cref="StandInApproved"/> count as approved money; a completed reversal the acquirer
/// asked for subtracts it again.
/// </summary>
public enum ReconciliationCategory : byte
{
    /// <summary>The issuer answered DE39 = 00 and the answer is durable.</summary>
    Approved,

    /// <summary>
    /// The switch approved on the issuer's behalf (stand-in, before sending or after a timeout). The issuer learns of
    /// it from the 0120 advice: until the advice is answered, the issuer's figure lacks this amount.
    /// </summary>
    StandInApproved,

    /// <summary>The issuer declined, or the switch answered itself after forwarding (for example the link went down): no money.</summary>
    Declined,

    /// <summary>
    /// The issuer did not answer in time (and no stand-in approval was given), or its answer was lost or could not be
    /// relayed to the acquirer. Its decision is unknown or was not passed on, so the switch counts it as not approved
    /// and owes a reversal until the issuer answers one.
    /// </summary>
    TimedOut,

    /// <summary>
    /// No Outcome record: still in flight, or the switch stopped between forwarding and making the answer durable.
    /// Counted as not approved; a reversal is owed (recovery) until the issuer answers one.
    /// </summary>
    NoOutcome,
}
