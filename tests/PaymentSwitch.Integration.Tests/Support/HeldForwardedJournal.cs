using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Core.Durability;
using PaymentSwitch.Core.Reversals;

namespace PaymentSwitch.Integration.Tests.Support;

/// <summary>
/// The switch's real journal, with one difference a test switches on: while held, a Forwarded record is not
/// appended until <see cref="Release"/>, so the engine waits as it would for a slow disk (rule 1 still holds).
/// </summary>
internal sealed class HeldForwardedJournal(ITransactionJournal inner) : ITransactionJournal
{
    private TaskCompletionSource _gate = NewGate(released: true);
    private int _held;

    /// <summary>Forwarded records held back so far.</summary>
    public int Held => Volatile.Read(ref _held);

    public PanProtector Pan => inner.Pan;

    public long NextSequence => inner.NextSequence;

    public void Hold() => _gate = NewGate(released: false);

    public void Release() => _gate.TrySetResult();

    public async ValueTask<long> RecordForwardedAsync(Transaction transaction)
    {
        Task gate = _gate.Task;
        if (!gate.IsCompleted)
        {
            Interlocked.Increment(ref _held);
            await gate.ConfigureAwait(false);
        }
        return await inner.RecordForwardedAsync(transaction).ConfigureAwait(false);
    }

    public ValueTask<long> RecordOutcomeAsync(Transaction transaction) => inner.RecordOutcomeAsync(transaction);

    public ValueTask<long> RecordReversalRequestedAsync(long forwardedSequence, ForwardedRecord original, ReversalReason reason, bool reversesAdvice = false)
        => inner.RecordReversalRequestedAsync(forwardedSequence, original, reason, reversesAdvice);

    public ValueTask<long> RecordReversalCompletedAsync(long forwardedSequence, ResponseCode issuerAnswer) => inner.RecordReversalCompletedAsync(forwardedSequence, issuerAnswer);

    public ValueTask<long> RecordAdviceCompletedAsync(long forwardedSequence, ResponseCode issuerAnswer) => inner.RecordAdviceCompletedAsync(forwardedSequence, issuerAnswer);

    public ValueTask<long> RecordAdviceReversalCompletedAsync(long forwardedSequence, ResponseCode issuerAnswer) => inner.RecordAdviceReversalCompletedAsync(forwardedSequence, issuerAnswer);

    public void RetainFrom(long sequence) => inner.RetainFrom(sequence);

    private static TaskCompletionSource NewGate(bool released)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (released) gate.SetResult();
        return gate;
    }
}
