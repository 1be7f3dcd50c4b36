using System.Diagnostics;

namespace PaymentSwitch.Simulators.Internal;

/// <summary>Something the <see cref="ReplyScheduler"/> wakes when a time it asked for comes.</summary>
internal interface IDueTarget
{
    /// <summary>Called on the scheduler's thread: must only signal (never block or send).</summary>
    void OnDue();
}

/// <summary>
/// One thread per card issuer simulator that wakes connections when their earliest delayed answer is due: a min-heap of
/// (due time, connection) and a precise wait. It exists because <see cref="Timer"/> and <see cref="Task.Delay(int)"/>
/// tick with the coarse system clock (4 ms on many Linux kernels), which would turn a 2 ms latency into 4–8 ms; an
/// <see cref="AutoResetEvent"/> wait with a timeout is accurate to about a tenth of a millisecond.
/// </summary>
/// <remarks>
/// Bounded by its callers: a connection asks only when its earliest due time moves earlier, so the heap holds at most
/// one entry per waiting answer. Stale entries (a connection that was already woken, or closed) cost one harmless wake.
/// Started on first use; a simulator without latency never starts it.
/// </remarks>
internal sealed class ReplyScheduler : IDisposable
{
    private readonly Lock _lock = new();
    private readonly AutoResetEvent _signal = new(false);
    private readonly Thread _thread;
    private (long Due, IDueTarget Target)[] _heap = new (long, IDueTarget)[256];
    private int _count;
    private long _waitingUntil = long.MaxValue;
    private volatile bool _stopping;

    public ReplyScheduler()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "issuer-sim-latency" };
        _thread.Start();
    }

    /// <summary>Wakes <paramref name="target"/> at <paramref name="due"/> (<see cref="Stopwatch"/> ticks) or soon after.</summary>
    public void Schedule(IDueTarget target, long due)
    {
        bool earlier;
        lock (_lock)
        {
            if (_count == _heap.Length) Array.Resize(ref _heap, _heap.Length * 2);
            int i = _count++;
            while (i > 0)
            {
                int parent = (i - 1) >> 1;
                if (_heap[parent].Due <= due) break;
                _heap[i] = _heap[parent];
                i = parent;
            }
            _heap[i] = (due, target);
            earlier = due < _waitingUntil;
        }
        if (earlier) _signal.Set();
    }

    private void Run()
    {
        IDueTarget?[] due = new IDueTarget?[64];
        while (!_stopping)
        {
            int fired = 0;
            long next;
            lock (_lock)
            {
                long now = Stopwatch.GetTimestamp();
                while (_count > 0 && _heap[0].Due <= now && fired < due.Length)
                {
                    due[fired++] = _heap[0].Target;
                    RemoveTop();
                }
                next = fired == due.Length ? 0 : _count > 0 ? _heap[0].Due : long.MaxValue;
                _waitingUntil = next;
            }
            for (int i = 0; i < fired; i++)
            {
                due[i]!.OnDue();
                due[i] = null;
            }
            if (next == 0) continue;
            int waitMs = Timeout.Infinite;
            if (next != long.MaxValue)
            {
                long remaining = next - Stopwatch.GetTimestamp();
                if (remaining <= 0) continue;
                waitMs = (int)Math.Min(int.MaxValue, ((remaining * 1000) + Stopwatch.Frequency - 1) / Stopwatch.Frequency);
            }
            _signal.WaitOne(waitMs);
        }
    }

    private void RemoveTop()
    {
        (long Due, IDueTarget Target) last = _heap[--_count];
        _heap[_count] = default;
        if (_count == 0) return;
        int i = 0;
        while (true)
        {
            int child = (2 * i) + 1;
            if (child >= _count) break;
            if (child + 1 < _count && _heap[child + 1].Due < _heap[child].Due) child++;
            if (_heap[child].Due >= last.Due) break;
            _heap[i] = _heap[child];
            i = child;
        }
        _heap[i] = last;
    }

    public void Dispose()
    {
        _stopping = true;
        _signal.Set();
        _thread.Join();
        _signal.Dispose();
    }
}
