using System.Diagnostics;
using System.Threading.Tasks.Sources;

namespace PaymentSwitch.Journal.Internal;

/// <summary>
/// The pooled completion behind the <see cref="ValueTask{TResult}"/> of one append. Completed by the writer with the
/// record's sequence once the record is durable (per the durability mode); returns itself to the pool when awaited.
/// While the append waits for buffer space (backpressure) it also holds the caller's payload.
/// </summary>
internal sealed class AppendCompletion : IValueTaskSource<long>
{
    private readonly AppendCompletionPool _pool;
    private ManualResetValueTaskSourceCore<long> _core;

    public AppendCompletion(AppendCompletionPool pool)
    {
        _pool = pool;
        // Asynchronous unless completed by a CompletionRun (SetResultInline): on the pool, or on the writer thread for a
        // batch within JournalOptions.InlineCompletionMax. Any other completion must not run continuations inline,
        // least of all on the writer thread, where they would stall group commit.
        _core.RunContinuationsAsynchronously = true;
    }

    public short Version => _core.Version;

    // Set only while the append waits for space in the pending buffer.
    public ReadOnlyMemory<byte> WaitingPayload { get; private set; }

    public byte WaitingRecordType { get; private set; }

    public long WaitingTimestampUnixMs { get; private set; }

    public void SetWaiting(byte recordType, ReadOnlyMemory<byte> payload, long timestampUnixMs)
    {
        WaitingRecordType = recordType;
        WaitingPayload = payload;
        WaitingTimestampUnixMs = timestampUnixMs;
    }

    public void ClearWaiting() => WaitingPayload = default;

    public void SetResult(long sequence)
    {
        Debug.Assert(sequence >= 1);
        _core.SetResult(sequence);
    }

    /// <summary>
    /// Completes with the continuation run on this thread (by a <see cref="CompletionRun"/>, on the thread pool or, for a small batch, the writer). The
    /// flag goes back to asynchronous when the result is taken, before the object returns to the pool.
    /// </summary>
    public void SetResultInline(long sequence)
    {
        Debug.Assert(sequence >= 1);
        _core.RunContinuationsAsynchronously = false;
        _core.SetResult(sequence);
    }

    public void SetException(Exception exception) => _core.SetException(exception);

    public long GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            _core.Reset();
            _core.RunContinuationsAsynchronously = true;
            WaitingPayload = default;
            _pool.Return(this);
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
