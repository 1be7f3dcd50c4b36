using System.Diagnostics;

namespace PaymentSwitch.Core.Durability;

/// <summary>
/// Counts and amounts (minor units, summed as they come — group by currency to compare money) of a set of forwarded
/// transactions. Approvals (the issuer's and the switch's stand-in ones) are counted NET of reversals: an approval
/// the acquirer reversed, with the issuer's answer to that reversal, is in <see cref="ReversedCount"/> and not in
/// <see cref="NetApprovedCount"/>. Timed-out and unanswered requests are never approved here.
/// </summary>
public sealed class ReconciliationTotals
{
    /// <summary>Requests forwarded to an issuer (each has a Forwarded record).</summary>
    public long ForwardedCount { get; private set; }

    public long ForwardedAmountMinor { get; private set; }

    /// <summary>The issuer answered 00 (durably), before any reversal.</summary>
    public long ApprovedCount { get; private set; }

    public long ApprovedAmountMinor { get; private set; }

    /// <summary>Approved by the switch on the issuer's behalf (stand-in); the issuer learns of them from the 0120 advice.</summary>
    public long StandInApprovedCount { get; private set; }

    public long StandInApprovedAmountMinor { get; private set; }

    /// <summary>Approvals (either kind) the acquirer reversed, with the issuer's answer to the reversal: subtracted from the net.</summary>
    public long ReversedCount { get; private set; }

    public long ReversedAmountMinor { get; private set; }

    /// <summary>
    /// Approved plus stand-in approved minus reversed: what the issuer should hold once every owed reversal and advice
    /// is answered.
    /// </summary>
    public long NetApprovedCount => ApprovedCount + StandInApprovedCount - ReversedCount;

    public long NetApprovedAmountMinor => ApprovedAmountMinor + StandInApprovedAmountMinor - ReversedAmountMinor;

    /// <summary>Declined by the issuer, or answered by the switch itself after forwarding.</summary>
    public long DeclinedCount { get; private set; }

    public long DeclinedAmountMinor { get; private set; }

    /// <summary>No answer in time: unknown at the issuer, not approved here.</summary>
    public long TimedOutCount { get; private set; }

    public long TimedOutAmountMinor { get; private set; }

    /// <summary>No Outcome record (in flight, or the switch stopped before the answer was durable): not approved here.</summary>
    public long NoOutcomeCount { get; private set; }

    public long NoOutcomeAmountMinor { get; private set; }

    /// <summary>Reversals still owed to the issuer for these transactions.</summary>
    public long ReversalsOwedCount { get; private set; }

    public long ReversalsOwedAmountMinor { get; private set; }

    /// <summary>Advices of stand-in approvals the issuer has not answered yet.</summary>
    public long AdvicesOwedCount { get; private set; }

    public long AdvicesOwedAmountMinor { get; private set; }

    internal void Add(ReconciliationTransaction t)
    {
        Debug.Assert(!t.ForwardedMissing, "only transactions with a Forwarded record are totalled");
        long amount = t.AmountMinor;
        ForwardedCount++;
        ForwardedAmountMinor += amount;
        switch (t.Category)
        {
            case ReconciliationCategory.Approved:
                ApprovedCount++;
                ApprovedAmountMinor += amount;
                break;
            case ReconciliationCategory.StandInApproved:
                StandInApprovedCount++;
                StandInApprovedAmountMinor += amount;
                break;
            case ReconciliationCategory.Declined:
                DeclinedCount++;
                DeclinedAmountMinor += amount;
                break;
            case ReconciliationCategory.TimedOut:
                TimedOutCount++;
                TimedOutAmountMinor += amount;
                break;
            default:
                Debug.Assert(t.Category == ReconciliationCategory.NoOutcome);
                NoOutcomeCount++;
                NoOutcomeAmountMinor += amount;
                break;
        }
        if (t.IsReversedApproval)
        {
            ReversedCount++;
            ReversedAmountMinor += amount;
        }
        if (t.OwedReason is not null)
        {
            ReversalsOwedCount++;
            ReversalsOwedAmountMinor += amount;
        }
        if (t.AdviceReversalOwed)
        {
            ReversalsOwedCount++;
            ReversalsOwedAmountMinor += amount;
        }
        if (t.AdviceOwed)
        {
            AdvicesOwedCount++;
            AdvicesOwedAmountMinor += amount;
        }
        Debug.Assert(ForwardedCount == ApprovedCount + StandInApprovedCount + DeclinedCount + TimedOutCount + NoOutcomeCount);
    }
}
