using PaymentSwitch.Core.Issuers;

namespace PaymentSwitch.Core.Authorisation;

/// <summary>What the switch remembers of a recent forwarded transaction.</summary>
public enum RecentState : byte
{
    InFlight,
    Approved,
    Declined,
    /// <summary>No answer in time: a reversal is owed.</summary>
    TimedOut,
}

/// <summary>One remembered transaction.</summary>
public struct RecentTransaction
{
    public TransactionKey Key;
    public long ForwardedSequence;
    public IssuerLink? Issuer;
    public int IssuerStan;
    internal RetrievalReference IssuerRrn;
    public int Mti;
    public RecentState State;
    public bool ReversalRequested;
}

/// <summary>
/// The last <c>capacity</c> forwarded transactions by their acquirer identity, so a reversal from the acquirer can be
/// matched to its original (and, later, duplicates recognised). Fixed memory: a ring of entries preallocated at start;
/// the oldest is forgotten when a new one arrives and the ring is full. Rebuilt from the journal on start.
/// </summary>
public sealed class RecentTransactions
{
    private readonly RecentTransaction[] _ring;
    private readonly Dictionary<TransactionKey, int> _bySlot;
    private readonly Dictionary<long, int> _bySequence;
    private readonly Lock _lock = new();
    private int _next;
    private int _count;

    public RecentTransactions(int capacity)
    {
        _ring = new RecentTransaction[capacity];
        _bySlot = new Dictionary<TransactionKey, int>(capacity);
        _bySequence = new Dictionary<long, int>(capacity);
    }

    public int Count
    {
        get { lock (_lock) return _count; }
    }

    public void Add(in RecentTransaction entry)
    {
        lock (_lock)
        {
            ref RecentTransaction slot = ref _ring[_next];
            if (_count == _ring.Length)
            {
                _bySlot.Remove(slot.Key);
                _bySequence.Remove(slot.ForwardedSequence);
            }
            else
            {
                _count++;
            }
            slot = entry;
            _bySlot[entry.Key] = _next;
            _bySequence[entry.ForwardedSequence] = _next;
            _next = (_next + 1) % _ring.Length;
        }
    }

    public void SetState(long forwardedSequence, RecentState state)
    {
        lock (_lock)
        {
            if (_bySequence.TryGetValue(forwardedSequence, out int slot)) _ring[slot].State = state;
        }
    }

    public bool TryFind(in TransactionKey key, out RecentTransaction entry)
    {
        lock (_lock)
        {
            if (_bySlot.TryGetValue(key, out int slot))
            {
                entry = _ring[slot];
                return true;
            }
        }
        entry = default;
        return false;
    }

    /// <summary>Marks the original reversed by its acquirer. False when it already was (a repeat).</summary>
    public bool TryMarkReversalRequested(long forwardedSequence)
    {
        lock (_lock)
        {
            if (!_bySequence.TryGetValue(forwardedSequence, out int slot) || _ring[slot].ReversalRequested) return false;
            _ring[slot].ReversalRequested = true;
            return true;
        }
    }
}
