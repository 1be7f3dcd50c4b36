using System.Diagnostics;

namespace PaymentSwitch.Simulators.Internal;

/// <summary>
/// One connection's answers waiting for their send time (configured latency, jitter, or the <c>late</c> fault): a
/// min-heap ordered by due time (then arrival), over a pool of fixed-size reply buffers.
/// </summary>
/// <remarks>
/// Bounded: at most <see cref="MaxPending"/> answers wait at once. When none is free, the connection stops reading
/// (its pipe and then TCP push back on the client) until the pump sends one. Buffers are allocated on first use, up to
/// the bound, and reused: a connection that never delays allocates none. Thread-safe: the connection's reader enqueues,
/// its pump dequeues, under one short lock.
/// </remarks>
internal sealed class DelayedReplyQueue
{
    /// <summary>Largest framed answer a slot holds. Answers echo a fixed set of fields, so they stay far below this.</summary>
    public const int SlotBytes = 512;

    private readonly Lock _lock = new();
    private readonly byte[]?[] _slots;
    private readonly int[] _free;
    private int _freeCount;
    private int _allocated;
    private readonly Item[] _heap;
    private int _heapCount;
    private long _sequence;

    public DelayedReplyQueue(int maxPending)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPending, 1);
        MaxPending = maxPending;
        _slots = new byte[]?[maxPending];
        _free = new int[maxPending];
        _heap = new Item[maxPending];
    }

    public int MaxPending { get; }

    /// <summary>Answers waiting.</summary>
    public int Count
    {
        get
        {
            lock (_lock) return _heapCount;
        }
    }

    /// <summary>Takes a free buffer for an answer; false when <see cref="MaxPending"/> answers already wait.</summary>
    public bool TryReserve(out int slot, out byte[] buffer)
    {
        lock (_lock)
        {
            if (_freeCount > 0)
            {
                slot = _free[--_freeCount];
            }
            else if (_allocated < MaxPending)
            {
                slot = _allocated++;
                _slots[slot] = new byte[SlotBytes];
            }
            else
            {
                slot = -1;
                buffer = [];
                return false;
            }
            buffer = _slots[slot]!;
            return true;
        }
    }

    /// <summary>True when a buffer is free (or can still be allocated).</summary>
    public bool HasFree
    {
        get
        {
            lock (_lock) return _freeCount > 0 || _allocated < MaxPending;
        }
    }

    /// <summary>Queues a reserved buffer holding <paramref name="length"/> bytes, due at <paramref name="dueTimestamp"/> (<see cref="Stopwatch"/> ticks). Returns true when it is now the earliest.</summary>
    public bool Enqueue(int slot, int length, long dueTimestamp)
    {
        lock (_lock)
        {
            Debug.Assert(_heapCount < MaxPending, "More answers queued than buffers reserved.");
            int i = _heapCount++;
            var item = new Item(dueTimestamp, _sequence++, slot, length);
            while (i > 0)
            {
                int parent = (i - 1) >> 1;
                if (!item.Before(_heap[parent])) break;
                _heap[i] = _heap[parent];
                i = parent;
            }
            _heap[i] = item;
            return i == 0;
        }
    }

    /// <summary>Removes the earliest answer when it is due by <paramref name="now"/>; the caller sends it, then calls <see cref="Release"/>.</summary>
    public bool TryDequeueDue(long now, out int slot, out byte[] buffer, out int length)
    {
        lock (_lock)
        {
            if (_heapCount == 0 || _heap[0].Due > now)
            {
                slot = -1;
                buffer = [];
                length = 0;
                return false;
            }
            Item top = _heap[0];
            Item last = _heap[--_heapCount];
            if (_heapCount > 0) SiftDown(last);
            slot = top.Slot;
            buffer = _slots[slot]!;
            length = top.Length;
            return true;
        }
    }

    /// <summary>The due time of the earliest answer, or <see cref="long.MaxValue"/> when none waits.</summary>
    public long NextDue
    {
        get
        {
            lock (_lock) return _heapCount == 0 ? long.MaxValue : _heap[0].Due;
        }
    }

    /// <summary>Returns a buffer to the pool.</summary>
    public void Release(int slot)
    {
        lock (_lock)
        {
            Debug.Assert(_freeCount < _allocated);
            _free[_freeCount++] = slot;
        }
    }

    private void SiftDown(Item item)
    {
        int i = 0;
        int count = _heapCount;
        while (true)
        {
            int child = (2 * i) + 1;
            if (child >= count) break;
            if (child + 1 < count && _heap[child + 1].Before(_heap[child])) child++;
            if (!_heap[child].Before(item)) break;
            _heap[i] = _heap[child];
            i = child;
        }
        _heap[i] = item;
    }

    private readonly record struct Item(long Due, long Sequence, int Slot, int Length)
    {
        public bool Before(in Item other) => Due < other.Due || (Due == other.Due && Sequence < other.Sequence);
    }
}
