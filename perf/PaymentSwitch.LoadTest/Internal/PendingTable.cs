using System.Diagnostics;

namespace PaymentSwitch.LoadTest.Internal;

/// <summary>
/// The requests in flight on one connection, keyed by STAN, preallocated: <see cref="Capacity"/> slots (the
/// per-connection in-flight bound), each with a <see cref="TransactionRecord"/> in one arena. Not thread-safe: the
/// connection's lock guards it.
/// </summary>
/// <remarks>
/// The STAN encodes the slot: STAN = 1 + slot + Capacity * (generation mod G), with G = 999999 / Capacity, so a lookup
/// is a division and a compare. Free slots are handed out first-in first-out, so consecutive requests use different
/// slots and a STAN comes back only after about a million requests on the connection (never within one DE7 second at
/// any feasible rate, so the target's duplicate check does not fire).
/// </remarks>
internal sealed class PendingTable
{
    public const int MaxStan = 999_999;

    private readonly PendingRequest[] _slots;
    private readonly byte[] _records;
    private readonly int[] _free;
    private readonly int _generationsPerSlot;
    private int _freeHead;
    private int _freeCount;

    public PendingTable(int capacity)
    {
        if (capacity < 1 || capacity > MaxStan) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "1..999999 slots");
        Capacity = capacity;
        _slots = new PendingRequest[capacity];
        _records = new byte[capacity * TransactionRecord.SizeBytes];
        _free = new int[capacity];
        for (int i = 0; i < capacity; i++) _free[i] = i;
        _freeCount = capacity;
        _generationsPerSlot = MaxStan / capacity;
    }

    public int Capacity { get; }

    public int InFlight => Capacity - _freeCount;

    public bool IsFull => _freeCount == 0;

    /// <summary>Takes a free slot and gives it a new STAN; false when every slot is in flight.</summary>
    public bool TryAllocate(out int slot, out int stan)
    {
        if (_freeCount == 0)
        {
            slot = -1;
            stan = 0;
            return false;
        }
        slot = _free[_freeHead];
        _freeHead = _freeHead + 1 == Capacity ? 0 : _freeHead + 1;
        _freeCount--;
        ref PendingRequest p = ref _slots[slot];
        Debug.Assert(p.Stan == 0, "a free slot has no STAN");
        p.Generation++;
        stan = 1 + slot + (Capacity * (int)((uint)p.Generation % (uint)_generationsPerSlot));
        Debug.Assert(stan is >= 1 and <= MaxStan, "STAN must be 6 digits");
        p.Stan = stan;
        return true;
    }

    /// <summary>The slot of the request in flight with <paramref name="stan"/>, or -1.</summary>
    public int Find(long stan)
    {
        if (stan is < 1 or > MaxStan) return -1;
        int index = (int)stan - 1;
        int slot = index % Capacity;
        if (index / Capacity >= _generationsPerSlot) return -1;
        return _slots[slot].Stan == (int)stan ? slot : -1;
    }

    /// <summary>True when <paramref name="stan"/> is that of a request that timed out and whose slot has not been reused since.</summary>
    public bool IsTimedOut(long stan)
    {
        if (stan is < 1 or > MaxStan) return false;
        int index = (int)stan - 1;
        return _slots[index % Capacity].LastTimedOutStan == (int)stan;
    }

    public ref PendingRequest this[int slot] => ref _slots[slot];

    public Span<byte> Record(int slot) => _records.AsSpan(slot * TransactionRecord.SizeBytes, TransactionRecord.SizeBytes);

    /// <summary>Frees a slot whose request was answered (or failed).</summary>
    public void Free(int slot)
    {
        ref PendingRequest p = ref _slots[slot];
        Debug.Assert(p.Stan != 0, "only a slot in flight can be freed");
        p.Stan = 0;
        int tail = _freeHead + _freeCount;
        if (tail >= Capacity) tail -= Capacity;
        _free[tail] = slot;
        _freeCount++;
        Debug.Assert(_freeCount <= Capacity, "more frees than allocations");
    }

    /// <summary>Frees a slot whose request timed out, remembering its STAN to recognise a late answer.</summary>
    public void FreeTimedOut(int slot)
    {
        _slots[slot].LastTimedOutStan = _slots[slot].Stan;
        Free(slot);
    }

    /// <summary>True when slot <paramref name="slot"/> holds a request in flight.</summary>
    public bool IsInFlight(int slot) => _slots[slot].Stan != 0;
}
