namespace PaymentSwitch.Core.Authorisation;

/// <summary>
/// Where the switch makes a transaction durable (money-safety rules 1 and 2). The engine waits for each call before
/// the next step: nothing goes to the issuer before <see cref="RecordForwardedAsync"/> completes, and no answer goes
/// to the acquirer before <see cref="RecordOutcomeAsync"/> completes. A call that faults stops the transaction: the
/// acquirer gets DE39 = 96 (forwarded) or the outcome is treated as unknown and reversed (outcome).
/// </summary>
public interface ITransactionJournal
{
    ValueTask RecordForwardedAsync(Transaction transaction);

    ValueTask RecordOutcomeAsync(Transaction transaction);
}

/// <summary>No journal: both steps complete at once. Used only where durability is not being tested.</summary>
public sealed class NoTransactionJournal : ITransactionJournal
{
    public static readonly NoTransactionJournal Instance = new();

    public ValueTask RecordForwardedAsync(Transaction transaction) => default;

    public ValueTask RecordOutcomeAsync(Transaction transaction) => default;
}
