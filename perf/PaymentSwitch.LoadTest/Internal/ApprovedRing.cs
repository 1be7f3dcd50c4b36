namespace PaymentSwitch.LoadTest.Internal;

/// <summary>
/// Recently approved transactions of one connection that a later reversal may undo: a preallocated ring of
/// <see cref="TransactionRecord"/>s. When full, a new approval overwrites the oldest, which is then simply never
/// reversed. Not thread-safe: the connection's lock guards it.
/// </summary>
internal sealed class ApprovedRing
{
    private readonly byte[] _records;
    private readonly int[] _mtis;
    private int _head;
    private int _count;

    public ApprovedRing(int capacity)
    {
        Capacity = capacity;
        _records = new byte[capacity * TransactionRecord.SizeBytes];
        _mtis = new int[capacity];
    }

    public int Capacity { get; }

    public int Count => _count;

    /// <summary>Keeps a copy of an approved request's record.</summary>
    public void Add(int mti, ReadOnlySpan<byte> record)
    {
        int index;
        if (_count == Capacity)
        {
            index = _head;
            _head = _head + 1 == Capacity ? 0 : _head + 1;
        }
        else
        {
            index = _head + _count;
            if (index >= Capacity) index -= Capacity;
            _count++;
        }
        record.CopyTo(_records.AsSpan(index * TransactionRecord.SizeBytes, TransactionRecord.SizeBytes));
        _mtis[index] = mti;
    }

    /// <summary>Copies out and removes the oldest approval; false when there is none.</summary>
    public bool TryTake(Span<byte> record, out int mti)
    {
        if (_count == 0)
        {
            mti = 0;
            return false;
        }
        _records.AsSpan(_head * TransactionRecord.SizeBytes, TransactionRecord.SizeBytes).CopyTo(record);
        mti = _mtis[_head];
        _head = _head + 1 == Capacity ? 0 : _head + 1;
        _count--;
        return true;
    }
}
