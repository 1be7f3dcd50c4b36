namespace PaymentSwitch.Core.Authorisation;

/// <summary>What each <see cref="TransactionOutcome"/> obliges the switch to do; one definition for the live path, replay and reconciliation.</summary>
public static class TransactionOutcomeFacts
{
    /// <summary>
    /// The request was sent and the acquirer was not given the issuer's decision (the issuer did not answer in time,
    /// its answer was lost, or it could not be relayed): the switch reverses it (money-safety rule 3).
    /// </summary>
    public static bool RequiresReversal(this TransactionOutcome outcome)
        => outcome is TransactionOutcome.TimedOut or TransactionOutcome.StandInAfterTimeout
            or TransactionOutcome.AnswerLost or TransactionOutcome.AnswerUndeliverable;
}
