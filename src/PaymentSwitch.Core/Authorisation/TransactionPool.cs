using System.Diagnostics;

namespace PaymentSwitch.Core.Authorisation;

/// <summary>
/// Bounded pool of <see cref="Transaction"/> objects; the bound is the switch's total in-flight limit. When every
/// transaction is in use, <see cref="TryRent"/> fails and the caller sheds the request (DE39 = 91) at once.
/// </summary>
internal sealed class TransactionPool
{
    private readonly Transaction?[] _free;
    private int _freeCount;
    private int _created;
    private readonly int _capacity;
    private readonly Lock _lock = new();

    private readonly Func<Transaction> _factory;

    public TransactionPool(int capacity, Func<Transaction> factory)
    {
        _capacity = capacity;
        _factory = factory;
        _free = new Transaction?[Math.Min(capacity, 1 << 16)];
    }

    /// <summary>Transactions currently rented (in flight).</summary>
    public int InUse => Volatile.Read(ref _created) - Volatile.Read(ref _freeCount);

    public int Capacity => _capacity;

    public bool TryRent(out Transaction transaction)
    {
        lock (_lock)
        {
            if (_freeCount > 0)
            {
                transaction = _free[--_freeCount]!;
                _free[_freeCount] = null;
                return true;
            }
            if (_created >= _capacity)
            {
                transaction = null!;
                return false;
            }
            _created++;
        }
        transaction = _factory();
        return true;
    }

    public void Return(Transaction transaction)
    {
        transaction.Reset();
        lock (_lock)
        {
            if (_freeCount < _free.Length)
            {
                _free[_freeCount++] = transaction;
                return;
            }
            _created--; // the free list is full: let this one go to the GC
        }
        Debug.Assert(_created >= 0);
    }
}
