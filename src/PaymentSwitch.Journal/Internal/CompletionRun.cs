using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace PaymentSwitch.Journal.Internal;

/// <summary>
/// Up to <see cref="Capacity"/> appends made durable by one write, completed together by one thread-pool work item.
/// Their continuations run inline, one after the other, on that thread: one dispatch per run instead of one per
/// record, which is most of the cost of a small record once the fsync is shared. The writer thread itself never runs
/// a continuation (it would stall group commit).
/// </summary>
internal sealed class CompletionRun : IThreadPoolWorkItem
{
    public const int Capacity = 32;

    private readonly AppendCompletion[] _completions = new AppendCompletion[Capacity];
    private readonly long[] _sequences = new long[Capacity];
    private readonly ConcurrentBag<CompletionRun> _pool;
    private int _count;

    private CompletionRun(ConcurrentBag<CompletionRun> pool) => _pool = pool;

    /// <summary>A run from <paramref name="pool"/>, or a new one when none is idle (runs return themselves after executing).</summary>
    public static CompletionRun Rent(ConcurrentBag<CompletionRun> pool) => pool.TryTake(out CompletionRun? run) ? run : new CompletionRun(pool);

    public bool IsFull => _count == Capacity;

    public bool IsEmpty => _count == 0;

    public void Add(AppendCompletion completion, long sequence)
    {
        _completions[_count] = completion;
        _sequences[_count] = sequence;
        _count++;
    }

    /// <summary>Queues the run to the thread pool; the caller must not touch it afterwards.</summary>
    public void Dispatch() => ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);

    public void Execute()
    {
        ExceptionDispatchInfo? first = null;
        int count = _count;
        for (int i = 0; i < count; i++)
        {
            AppendCompletion completion = _completions[i];
            _completions[i] = null!;
            try
            {
                completion.SetResultInline(_sequences[i]);
            }
            catch (Exception ex)
            {
                // A continuation that throws must not strand the appends after it; the first failure surfaces below.
                first ??= ExceptionDispatchInfo.Capture(ex);
            }
        }
        _count = 0;
        _pool.Add(this);
        first?.Throw();
    }
}
