namespace PaymentSwitch.Simulators.Internal;

/// <summary>
/// The issuer's running totals: plain counters updated with <see cref="Interlocked"/>, read without locks.
/// Shared by every connection or request of one simulator.
/// </summary>
internal sealed class IssuerLedger
{
    private long _approvedCount;
    private long _approvedAmount;
    private long _declinedCount;
    private long _declinedAmount;
    private long _reversedCount;
    private long _reversedAmount;
    private long _adviceCount;
    private long _adviceAmount;
    private long _duplicateReversals;
    private long _unknownReversals;
    private long _declinedAfterReversal;
    private long _duplicateRequests;
    private long _networkManagement;
    private long _invalidRequests;
    private long _faultedAnswers;

    public void Approved(long amountMinor)
    {
        Interlocked.Increment(ref _approvedCount);
        Interlocked.Add(ref _approvedAmount, amountMinor);
    }

    public void Declined(long amountMinor)
    {
        Interlocked.Increment(ref _declinedCount);
        Interlocked.Add(ref _declinedAmount, amountMinor);
    }

    public void DeclinedAfterReversal(long amountMinor)
    {
        Declined(amountMinor);
        Interlocked.Increment(ref _declinedAfterReversal);
    }

    public void Reversed(long amountMinor)
    {
        Interlocked.Increment(ref _reversedCount);
        Interlocked.Add(ref _reversedAmount, amountMinor);
    }

    public void Advice(long amountMinor)
    {
        Interlocked.Increment(ref _adviceCount);
        Interlocked.Add(ref _adviceAmount, amountMinor);
    }

    public void DuplicateReversal() => Interlocked.Increment(ref _duplicateReversals);
    public void UnknownReversal() => Interlocked.Increment(ref _unknownReversals);
    public void DuplicateRequest() => Interlocked.Increment(ref _duplicateRequests);
    public void NetworkManagement() => Interlocked.Increment(ref _networkManagement);
    public void InvalidRequest() => Interlocked.Increment(ref _invalidRequests);
    public void FaultedAnswer() => Interlocked.Increment(ref _faultedAnswers);

    public IssuerLedgerSnapshot Snapshot(long indexEntries, long indexEvictions) => new()
    {
        ApprovedCount = Volatile.Read(ref _approvedCount),
        ApprovedAmountMinor = Volatile.Read(ref _approvedAmount),
        DeclinedCount = Volatile.Read(ref _declinedCount),
        DeclinedAmountMinor = Volatile.Read(ref _declinedAmount),
        ReversedCount = Volatile.Read(ref _reversedCount),
        ReversedAmountMinor = Volatile.Read(ref _reversedAmount),
        AdviceCount = Volatile.Read(ref _adviceCount),
        AdviceAmountMinor = Volatile.Read(ref _adviceAmount),
        DuplicateReversalCount = Volatile.Read(ref _duplicateReversals),
        UnknownReversalCount = Volatile.Read(ref _unknownReversals),
        DeclinedAfterReversalCount = Volatile.Read(ref _declinedAfterReversal),
        DuplicateRequestCount = Volatile.Read(ref _duplicateRequests),
        NetworkManagementCount = Volatile.Read(ref _networkManagement),
        InvalidRequestCount = Volatile.Read(ref _invalidRequests),
        FaultedAnswerCount = Volatile.Read(ref _faultedAnswers),
        IndexEntries = indexEntries,
        IndexEvictions = indexEvictions,
    };

    /// <summary>Zeroes every counter (traffic in flight during the reset may land on either side of it).</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _approvedCount, 0);
        Interlocked.Exchange(ref _approvedAmount, 0);
        Interlocked.Exchange(ref _declinedCount, 0);
        Interlocked.Exchange(ref _declinedAmount, 0);
        Interlocked.Exchange(ref _reversedCount, 0);
        Interlocked.Exchange(ref _reversedAmount, 0);
        Interlocked.Exchange(ref _adviceCount, 0);
        Interlocked.Exchange(ref _adviceAmount, 0);
        Interlocked.Exchange(ref _duplicateReversals, 0);
        Interlocked.Exchange(ref _unknownReversals, 0);
        Interlocked.Exchange(ref _declinedAfterReversal, 0);
        Interlocked.Exchange(ref _duplicateRequests, 0);
        Interlocked.Exchange(ref _networkManagement, 0);
        Interlocked.Exchange(ref _invalidRequests, 0);
        Interlocked.Exchange(ref _faultedAnswers, 0);
    }
}
