using PaymentSwitch.Core.Durability;
using PaymentSwitch.Core.Reversals;

namespace PaymentSwitch.Core.Authorisation;

/// <summary>
/// Where the switch makes a transaction durable (money-safety rules 1 and 2). The engine waits for each call before
/// the next step: nothing goes to the issuer before <see cref="RecordForwardedAsync"/> completes, and no answer goes
/// to the acquirer before <see cref="RecordOutcomeAsync"/> completes. Each returns the record's journal sequence.
/// A call that faults stops the transaction: the acquirer gets DE39 = 96, and a forwarded request whose answer could
/// not be made durable is reversed.
/// </summary>
public interface ITransactionJournal
{
    /// <summary>Encrypts card numbers for records (and decrypts them to build reversals).</summary>
    PanProtector Pan { get; }

    ValueTask<long> RecordForwardedAsync(Transaction transaction);

    ValueTask<long> RecordOutcomeAsync(Transaction transaction);

    /// <summary>An acquirer's reversal request (with the original it reverses), so a restart still owes it.</summary>
    ValueTask<long> RecordReversalRequestedAsync(long forwardedSequence, ForwardedRecord original, ReversalReason reason, bool reversesAdvice = false);

    /// <summary>The issuer answered a reversal: it is not to be sent again.</summary>
    ValueTask<long> RecordReversalCompletedAsync(long forwardedSequence, ResponseCode issuerAnswer);

    /// <summary>The issuer answered the advice of a stand-in approval: it is not to be sent again.</summary>
    ValueTask<long> RecordAdviceCompletedAsync(long forwardedSequence, ResponseCode issuerAnswer);

    /// <summary>The issuer answered the reversal of a stand-in advice.</summary>
    ValueTask<long> RecordAdviceReversalCompletedAsync(long forwardedSequence, ResponseCode issuerAnswer);

    /// <summary>Housekeeping: records before <paramref name="sequence"/> are no longer needed by the switch.</summary>
    void RetainFrom(long sequence);

    /// <summary>The next sequence the journal will give (all before it are written).</summary>
    long NextSequence { get; }
}

/// <summary>
/// No journal: every step completes at once and nothing survives a restart. For measurement and for tests that are
/// not about durability; reversals still work in memory (the card numbers are encrypted with a key made at start).
/// </summary>
public sealed class NoTransactionJournal : ITransactionJournal
{
    private long _sequence;

    public PanProtector Pan { get; } = new(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), "ephemeral");

    public ValueTask<long> RecordForwardedAsync(Transaction transaction) => new(Interlocked.Increment(ref _sequence));

    public ValueTask<long> RecordOutcomeAsync(Transaction transaction) => new(Interlocked.Increment(ref _sequence));

    public ValueTask<long> RecordReversalRequestedAsync(long forwardedSequence, ForwardedRecord original, ReversalReason reason, bool reversesAdvice = false) => new(Interlocked.Increment(ref _sequence));

    public ValueTask<long> RecordAdviceReversalCompletedAsync(long forwardedSequence, ResponseCode issuerAnswer) => new(Interlocked.Increment(ref _sequence));

    public ValueTask<long> RecordReversalCompletedAsync(long forwardedSequence, ResponseCode issuerAnswer) => new(Interlocked.Increment(ref _sequence));

    public ValueTask<long> RecordAdviceCompletedAsync(long forwardedSequence, ResponseCode issuerAnswer) => new(Interlocked.Increment(ref _sequence));

    public void RetainFrom(long sequence) { }

    public long NextSequence => Volatile.Read(ref _sequence) + 1;
}
