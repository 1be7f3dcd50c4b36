using PaymentSwitch.Core.Reversals;

namespace PaymentSwitch.Core.Durability;

/// <summary>
/// The reversals (or the stand-in advices) still owed. Until the issuer answers them, the switch's net approved figure
/// and the issuer's differ: for a timeout or a recovery the issuer may hold an approval the switch does not count (so
/// the issuer's net can be higher by up to <see cref="UnknownOutcomeAmountMinor"/>); for an acquirer's request both
/// still count the approval and both subtract it once the issuer answers; for a stand-in advice the switch counts an
/// approval the issuer does not know yet (so the issuer's net can be lower by up to <see cref="StandInAdviceAmountMinor"/>).
/// </summary>
public sealed class ReconciliationOwedSummary
{
    internal ReconciliationOwedSummary(IReadOnlyList<ReconciliationOwedReversal> items)
    {
        Items = items;
        foreach (ReconciliationOwedReversal r in items)
        {
            AmountMinor += r.AmountMinor;
            if (r.Reason == ReversalReason.Acquirer)
            {
                AcquirerRequestedCount++;
                AcquirerRequestedAmountMinor += r.AmountMinor;
            }
            else if (r.Reason == ReversalReason.UndeliveredApproval)
            {
                UndeliveredApprovalCount++;
                UndeliveredApprovalAmountMinor += r.AmountMinor;
            }
            else if (r.Reason == ReversalReason.StandIn)
            {
                StandInAdviceCount++;
                StandInAdviceAmountMinor += r.AmountMinor;
            }
            else
            {
                UnknownOutcomeCount++;
                UnknownOutcomeAmountMinor += r.AmountMinor;
            }
            if (Oldest is null || r.OwedSinceUtc < Oldest.OwedSinceUtc) Oldest = r;
        }
    }

    public int Count => Items.Count;

    public long AmountMinor { get; }

    /// <summary>Owed because the outcome is unknown (timeout, or no outcome after a crash).</summary>
    public int UnknownOutcomeCount { get; }

    /// <summary>The most the issuer's net approved amount can exceed the switch's until these are answered.</summary>
    public long UnknownOutcomeAmountMinor { get; }

    /// <summary>Owed because an acquirer asked for them (0400/0420).</summary>
    public int AcquirerRequestedCount { get; }

    public long AcquirerRequestedAmountMinor { get; }

    /// <summary>
    /// Owed because the issuer approved but the acquirer's connection closed before the approval reached it: as with an
    /// acquirer's request, both sides still count these approvals until the issuer answers the reversal.
    /// </summary>
    public int UndeliveredApprovalCount { get; }

    public long UndeliveredApprovalAmountMinor { get; }

    /// <summary>Advices of stand-in approvals (0120) not answered yet: the most the issuer's net can be below the switch's.</summary>
    public int StandInAdviceCount { get; }

    public long StandInAdviceAmountMinor { get; }

    /// <summary>The one owed longest, or null when none is owed.</summary>
    public ReconciliationOwedReversal? Oldest { get; }

    /// <summary>Every owed item, in journal order.</summary>
    public IReadOnlyList<ReconciliationOwedReversal> Items { get; }
}
