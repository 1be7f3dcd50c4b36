using System.Collections.Concurrent;

namespace PaymentSwitch.Journal.Internal;

/// <summary>
/// Bounded pool of <see cref="AppendCompletion"/>. Rented under the journal's append lock, returned from any thread
/// when the caller awaits its result. Keeps at most <c>capacity</c> idle objects; beyond that, returned objects are
/// left to the garbage collector (so the pool never grows past its bound).
/// </summary>
internal sealed class AppendCompletionPool
{
    private readonly ConcurrentQueue<AppendCompletion> _idle = new();
    private readonly int _capacity;
    private int _idleCount;

    public AppendCompletionPool(int capacity)
    {
        _capacity = capacity;
    }

    public AppendCompletion Rent()
    {
        if (_idle.TryDequeue(out AppendCompletion? completion))
        {
            Interlocked.Decrement(ref _idleCount);
            return completion;
        }

        return new AppendCompletion(this);
    }

    public void Return(AppendCompletion completion)
    {
        if (Interlocked.Increment(ref _idleCount) <= _capacity)
        {
            _idle.Enqueue(completion);
        }
        else
        {
            Interlocked.Decrement(ref _idleCount);
        }
    }
}
