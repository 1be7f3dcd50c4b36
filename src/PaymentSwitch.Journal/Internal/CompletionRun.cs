using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace PaymentSwitch.Journal.Internal;

/// <summary>
/// Up to <see cref="Capacity"/> appends made durable by one write, completed together: by one thread-pool work item,
/// or, for a small batch (<see cref="JournalOptions.InlineCompletionMax"/>), by the writer thread itself. Their
/// continuations run inline, one after the other, on that thread: one dispatch per run (or none) instead of one per
/// record, which is most of the cost of a small record once the fsync is shared. The owner's
/// <see cref="ICompletionRunScope"/> is told around the run.
/// </summary>
internal sealed class CompletionRun : IThreadPoolWorkItem
{
    public const int Capacity = 32;

    private readonly AppendCompletion[] _completions = new AppendCompletion[Capacity];
    private readonly long[] _sequences = new long[Capacity];
    private readonly ConcurrentBag<CompletionRun> _pool;
    private readonly ICompletionRunScope? _scope;
    private int _count;

    private CompletionRun(ConcurrentBag<CompletionRun> pool, ICompletionRunScope? scope)
    {
        _pool = pool;
        _scope = scope;
    }

    /// <summary>A run from <paramref name="pool"/>, or a new one when none is idle (runs return themselves after executing).</summary>
    public static CompletionRun Rent(ConcurrentBag<CompletionRun> pool, ICompletionRunScope? scope)
        => pool.TryTake(out CompletionRun? run) ? run : new CompletionRun(pool, scope);

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

    /// <summary>On the thread pool: a continuation that threw is rethrown here, after the whole run (as any work item's).</summary>
    public void Execute() => Run()?.Throw();

    /// <summary>
    /// On the writer thread: a continuation that threw is rethrown on the thread pool instead, so it fails as it would
    /// from a dispatched run and never looks like a write failure of the journal.
    /// </summary>
    public void ExecuteOnWriter()
    {
        ExceptionDispatchInfo? first = Run();
        if (first is not null) ThreadPool.UnsafeQueueUserWorkItem(static failure => failure.Throw(), first, preferLocal: false);
    }

    private ExceptionDispatchInfo? Run()
    {
        ExceptionDispatchInfo? first = null;
        int count = _count;
        _scope?.Enter();
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
                // A continuation that throws must not strand the appends after it; the first failure surfaces after the run.
                first ??= ExceptionDispatchInfo.Capture(ex);
            }
        }
        try
        {
            _scope?.Exit();
        }
        catch (Exception ex)
        {
            first ??= ExceptionDispatchInfo.Capture(ex);
        }
        _count = 0;
        _pool.Add(this);
        return first;
    }
}
