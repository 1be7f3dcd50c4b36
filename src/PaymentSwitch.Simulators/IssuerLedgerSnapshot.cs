namespace PaymentSwitch.Simulators;

/// <summary>
/// What a simulated issuer has booked, read at one instant (each counter is read atomically; under traffic two counters
/// may be a few messages apart, at rest they are exact). Amounts are in minor units, summed over all currencies.
/// Serialised in camelCase; the first eight properties are the wallet contract's <c>GET /v1/ledger</c> body.
/// </summary>
public sealed record IssuerLedgerSnapshot
{
    /// <summary>Authorisation and financial requests approved and booked (repeats of a booked one are not counted again).</summary>
    public long ApprovedCount { get; init; }
    public long ApprovedAmountMinor { get; init; }

    /// <summary>Requests declined (by the rules, or because they were reversed before they arrived).</summary>
    public long DeclinedCount { get; init; }

    /// <summary>Booked approvals and advices reversed (each at most once).</summary>
    public long ReversedCount { get; init; }
    public long ReversedAmountMinor { get; init; }

    /// <summary>Stand-in advices (approved by the switch on the issuer's behalf) booked.</summary>
    public long AdviceCount { get; init; }
    public long AdviceAmountMinor { get; init; }

    /// <summary>Approved + advices − reversed: the money the issuer holds as authorised.</summary>
    public long NetApprovedAmountMinor => ApprovedAmountMinor + AdviceAmountMinor - ReversedAmountMinor;

    public long DeclinedAmountMinor { get; init; }

    /// <summary>Reversals of a transaction already reversed: answered 00, nothing booked.</summary>
    public long DuplicateReversalCount { get; init; }

    /// <summary>Reversals that matched no booked approval: answered 25, the key remembered so a late original is declined.</summary>
    public long UnknownReversalCount { get; init; }

    /// <summary>Originals (and advices) declined because a reversal for them had arrived first: answered 05, nothing booked.</summary>
    public long DeclinedAfterReversalCount { get; init; }

    /// <summary>Repeats of an approval or advice already booked: answered as before, nothing booked again.</summary>
    public long DuplicateRequestCount { get; init; }

    /// <summary>Network management (0800) requests answered.</summary>
    public long NetworkManagementCount { get; init; }

    /// <summary>Requests refused as malformed (30, or HTTP 400) or of an unsupported type (12).</summary>
    public long InvalidRequestCount { get; init; }

    /// <summary>Answers withheld, garbled, dropped or refused by a fault mode.</summary>
    public long FaultedAnswerCount { get; init; }

    /// <summary>Transactions currently remembered for reversal matching (approvals, advices, reversed entries and reversal tombstones).</summary>
    public long IndexEntries { get; init; }

    /// <summary>Entries evicted (oldest first) because the index reached its bound: a reversal of one of them would answer 25.</summary>
    public long IndexEvictions { get; init; }
}
