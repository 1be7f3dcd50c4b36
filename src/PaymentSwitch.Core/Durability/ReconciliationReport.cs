namespace PaymentSwitch.Core.Durability;

/// <summary>
/// The switch's side of a reconciliation with its issuers and acquirers, computed from the journal by
/// <see cref="ReconciliationBuilder"/>: counts and amounts per issuer, acquirer (DE32), MTI, response code and
/// currency; approvals net of completed reversals; and the reversals still owed, which are what makes the switch's
/// figure and an issuer's figure differ until the issuer answers them (and the advices of stand-in approvals, likewise).
/// </summary>
/// <remarks>
/// Transactions are selected by the time of their Forwarded record (<see cref="FromUtc"/> inclusive,
/// <see cref="ToUtc"/> exclusive); their outcomes and reversals are taken from every record read, so the figures are
/// as of <see cref="LastRecordUtc"/>. Amounts are in minor units and summed across currencies in the totals, as the
/// issuers' ledgers do; <see cref="ByCurrency"/> keeps them apart.
/// </remarks>
public sealed class ReconciliationReport
{
    internal ReconciliationReport() { }

    /// <summary>Start of the period (inclusive), or null for the journal's beginning.</summary>
    public DateTimeOffset? FromUtc { get; internal init; }

    /// <summary>End of the period (exclusive), or null for the journal's end.</summary>
    public DateTimeOffset? ToUtc { get; internal init; }

    /// <summary>Records read (all types, in and out of the period).</summary>
    public long RecordsRead { get; internal init; }

    /// <summary>Sequence of the first record read, or 0 when none.</summary>
    public long FirstSequence { get; internal init; }

    /// <summary>Sequence of the last record read, or 0 when none.</summary>
    public long LastSequence { get; internal init; }

    public DateTimeOffset? FirstRecordUtc { get; internal init; }

    public DateTimeOffset? LastRecordUtc { get; internal init; }

    /// <summary>Every forwarded transaction of the period.</summary>
    public required ReconciliationTotals Totals { get; init; }

    public required IReadOnlyList<ReconciliationLine> ByIssuer { get; init; }

    /// <summary>By the acquiring institution (DE32) of the original request.</summary>
    public required IReadOnlyList<ReconciliationLine> ByAcquirer { get; init; }

    public required IReadOnlyList<ReconciliationLine> ByMti { get; init; }

    /// <summary>By the DE39 of the outcome (<c>none</c> when there is no outcome yet).</summary>
    public required IReadOnlyList<ReconciliationLine> ByResponseCode { get; init; }

    public required IReadOnlyList<ReconciliationLine> ByCurrency { get; init; }

    /// <summary>Reversals still owed (including those for transactions whose Forwarded record was retired).</summary>
    public required ReconciliationOwedSummary ReversalsOwed { get; init; }

    /// <summary>Advices (0120) of stand-in approvals the issuer has not answered yet.</summary>
    public required ReconciliationOwedSummary AdvicesOwed { get; init; }

    /// <summary>
    /// How much higher an issuer's net approved amount can be than the switch's until the owed reversals are answered:
    /// requests of unknown outcome (timeout, recovery) the issuer may have approved.
    /// </summary>
    public long IssuerNetMayBeHigherByMinor => ReversalsOwed.UnknownOutcomeAmountMinor;

    /// <summary>
    /// How much lower an issuer's net approved amount can be than the switch's until the owed advices are answered:
    /// stand-in approvals the issuer has not been told of yet.
    /// </summary>
    public long IssuerNetMayBeLowerByMinor => AdvicesOwed.StandInAdviceAmountMinor;

    public required ReconciliationAnomalies Anomalies { get; init; }
}
