using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Core.Reversals;
using PaymentSwitch.Journal;

namespace PaymentSwitch.Core.Durability;

/// <summary>
/// The switch's records in the write-ahead journal. Appends copy the record into the journal's group-commit buffer
/// and return its durability as a <see cref="ValueTask{T}"/>; when that buffer is full the record is staged in the
/// transaction's own buffer and waits its turn (backpressure, never unbounded memory).
/// </summary>
/// <param name="journal">The open write-ahead journal.</param>
/// <param name="pan">Encrypts card numbers for the records.</param>
/// <param name="fsyncLatency">The recorder the journal's <see cref="JournalOptions.SyncObserver"/> feeds, if any.</param>
public sealed class TransactionJournal(WriteAheadJournal journal, PanProtector pan, Metrics.FsyncLatencyRecorder? fsyncLatency = null)
    : ITransactionJournal, IAsyncDisposable
{
    private const int MaxRecordBytes = 1024;

    /// <summary>
    /// The <see cref="JournalOptions.CompletionRunScope"/> for the switch's journal: the issuer requests and acquirer
    /// replies written by one run of completions go out as one send per connection at the end of the run.
    /// </summary>
    public static ICompletionRunScope CompletionRunScope => Networking.SendBatch.JournalCompletions;

    public WriteAheadJournal Journal { get; } = journal;

    public PanProtector Pan { get; } = pan;

    /// <summary>fdatasync durations of <see cref="Journal"/>, when its options were given this recorder's observer.</summary>
    public Metrics.FsyncLatencyRecorder? FsyncLatency { get; } = fsyncLatency;

    public long NextSequence => Journal.DurableSequence + 1;

    public ValueTask<long> RecordForwardedAsync(Transaction transaction)
    {
        Span<byte> record = stackalloc byte[MaxRecordBytes];
        int length = ForwardedRecord.Write(transaction, Pan, record);
        return Append(transaction, TransactionRecordType.Forwarded, record[..length]);
    }

    public ValueTask<long> RecordOutcomeAsync(Transaction transaction)
    {
        Span<byte> record = stackalloc byte[64];
        int length = OutcomeRecord.Write(transaction.ForwardedSequence, transaction.Outcome, transaction.ResponseCode, transaction.ApprovalCode, record);
        return Append(transaction, TransactionRecordType.Outcome, record[..length]);
    }

    public ValueTask<long> RecordReversalRequestedAsync(long forwardedSequence, ForwardedRecord original, ReversalReason reason, bool reversesAdvice = false)
    {
        byte[] record = ReversalRequestedRecord.Encode(forwardedSequence, original, reason);
        return Journal.AppendAsync((byte)(reversesAdvice ? TransactionRecordType.AdviceReversalRequested : TransactionRecordType.ReversalRequested), record);
    }

    public ValueTask<long> RecordAdviceReversalCompletedAsync(long forwardedSequence, ResponseCode issuerAnswer)
    {
        byte[] record = new byte[16];
        int length = ReversalRecord.Write(forwardedSequence, issuerAnswer, record);
        return Journal.AppendAsync((byte)TransactionRecordType.AdviceReversalCompleted, record.AsMemory(0, length));
    }

    public ValueTask<long> RecordReversalCompletedAsync(long forwardedSequence, ResponseCode issuerAnswer)
    {
        byte[] record = new byte[16];
        int length = ReversalRecord.Write(forwardedSequence, issuerAnswer, record);
        return Journal.AppendAsync((byte)TransactionRecordType.ReversalCompleted, record.AsMemory(0, length));
    }

    public ValueTask<long> RecordAdviceCompletedAsync(long forwardedSequence, ResponseCode issuerAnswer)
    {
        byte[] record = new byte[16];
        int length = ReversalRecord.Write(forwardedSequence, issuerAnswer, record);
        return Journal.AppendAsync((byte)TransactionRecordType.AdviceCompleted, record.AsMemory(0, length));
    }

    public void RetainFrom(long sequence) => Journal.SetRetainFrom(sequence);

    private ValueTask<long> Append(Transaction transaction, TransactionRecordType type, ReadOnlySpan<byte> record)
    {
        if (Journal.TryAppend((byte)type, record, out ValueTask<long> durable)) return durable;
        // The group-commit buffer is full: stage the record in the transaction's own buffer and wait in line.
        byte[] staged = transaction.JournalStaging(record.Length);
        record.CopyTo(staged);
        return Journal.AppendAsync((byte)type, staged.AsMemory(0, record.Length));
    }

    public ValueTask DisposeAsync() => Journal.DisposeAsync();
}
