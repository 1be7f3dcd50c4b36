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
    /// <summary>
    /// Its Forwarded record is durable and <see cref="ForwardedSequence"/>, <see cref="IssuerStan"/> and the issuer's
    /// RRN are known (live entries; replayed entries were forwarded by definition and are never in flight).
    /// </summary>
    public bool Forwarded;
    public bool ReversalRequested;
    /// <summary>The approval was the switch's (stand-in): reversing it means reversing its advice at the issuer.</summary>
    public bool StandInApproved;
    /// <summary>When the original arrived (unix ms), for the duplicate window.</summary>
    public long ReceivedUnixMs;
    /// <summary>
    /// The journal's next sequence when it arrived (replayed: its Forwarded record's): its Forwarded record, if any, is
    /// at or after it, and so are those of every entry that arrived later.
    /// </summary>
    public long ArrivedAtSequence;
    /// <summary>The answer the acquirer got (for repeats).</summary>
    public ResponseCode ResponseCode;
    internal ApprovalCodeValue ApprovalCode;
    /// <summary>A repeat that arrived while the original was in flight: answered with the original's answer.</summary>
    internal Transaction? Waiter;
}

/// <summary>Up to six characters of DE38, held inline.</summary>
internal struct ApprovalCodeValue
{
    private ulong _packed;

    public static ApprovalCodeValue From(ReadOnlySpan<byte> code)
    {
        ulong packed = (ulong)Math.Min(code.Length, 6) << 56;
        for (int i = 0; i < Math.Min(code.Length, 6); i++) packed |= (ulong)code[i] << (8 * i);
        return new ApprovalCodeValue { _packed = packed };
    }

    public readonly int CopyTo(Span<byte> destination)
    {
        int length = (int)(_packed >> 56);
        for (int i = 0; i < length; i++) destination[i] = (byte)(_packed >> (8 * i));
        return length;
    }

    public override readonly string ToString()
    {
        Span<byte> bytes = stackalloc byte[6];
        return System.Text.Encoding.ASCII.GetString(bytes[..CopyTo(bytes)]);
    }
}

/// <summary>
/// The last <c>capacity</c> forwarded transactions by their acquirer identity (DE32, DE41, DE11, DE7): the duplicate
/// window (a repeat while the original is in flight is not forwarded again; a repeat after it finished gets the
/// original answer), and the index that matches an acquirer's reversal to its original. Fixed memory: a ring
/// preallocated at start; when full, the oldest entry is forgotten. Entries older than the window no longer count.
/// Rebuilt from the journal on start. Writers take a short lock; this is not a read-mostly structure.
/// </summary>
public sealed class RecentTransactions
{
    private readonly RecentTransaction[] _ring;
    private readonly Dictionary<TransactionKey, int> _slotByKey;
    private readonly Lock _lock = new();
    private readonly long _windowMs;
    private int _next;
    private int _count;

    public RecentTransactions(int capacity, TimeSpan window)
    {
        _ring = new RecentTransaction[capacity];
        _slotByKey = new Dictionary<TransactionKey, int>(capacity);
        _windowMs = (long)window.TotalMilliseconds;
    }

    public int Count
    {
        get { lock (_lock) return _count; }
    }

    public int Capacity => _ring.Length;

    /// <summary>Claims <paramref name="entry"/>'s key. False (with the existing entry) when the key is already known within the window.</summary>
    public bool TryAdd(in RecentTransaction entry, out int slot, out RecentTransaction existing) => TryAdd(entry, out slot, out existing, out _);

    /// <summary>
    /// As <see cref="TryAdd(in RecentTransaction, out int, out RecentTransaction)"/>; when the ring is full, the oldest
    /// entry makes room, and a repeat parked on it (<see cref="TryAttachWaiter"/>) comes back in
    /// <paramref name="evictedWaiter"/>: nobody will complete it now, so the caller must answer and release it.
    /// </summary>
    public bool TryAdd(in RecentTransaction entry, out int slot, out RecentTransaction existing, out Transaction? evictedWaiter)
    {
        evictedWaiter = null;
        lock (_lock)
        {
            if (_slotByKey.TryGetValue(entry.Key, out slot) && entry.ReceivedUnixMs - _ring[slot].ReceivedUnixMs <= _windowMs)
            {
                existing = _ring[slot];
                return false;
            }
            existing = default;
            slot = _next;
            ref RecentTransaction target = ref _ring[slot];
            if (_count == _ring.Length)
            {
                _slotByKey.Remove(target.Key);
                evictedWaiter = target.Waiter;
            }
            else
            {
                _count++;
            }
            _slotByKey.Remove(entry.Key); // an expired entry of the same key
            target = entry;
            _slotByKey[entry.Key] = slot;
            _next = (_next + 1) % _ring.Length;
            return true;
        }
    }

    /// <summary>Adds (replay) without the duplicate check.</summary>
    public void Add(in RecentTransaction entry) => TryAdd(entry, out _, out _);

    private bool Owns(int slot, in TransactionKey key) => (uint)slot < (uint)_ring.Length && _ring[slot].Key == key && _slotByKey.TryGetValue(key, out int s) && s == slot;

    internal void SetForwarded(int slot, in TransactionKey key, long forwardedSequence, IssuerLink issuer, int issuerStan, RetrievalReference rrn)
    {
        lock (_lock)
        {
            if (!Owns(slot, key)) return;
            ref RecentTransaction e = ref _ring[slot];
            e.ForwardedSequence = forwardedSequence;
            e.Forwarded = true;
            e.Issuer = issuer;
            e.IssuerStan = issuerStan;
            e.IssuerRrn = rrn;
        }
    }

    /// <summary>Records the answer; returns a repeat that was waiting for it (to be answered the same), or null.</summary>
    internal Transaction? Complete(int slot, in TransactionKey key, RecentState state, ResponseCode code, ReadOnlySpan<byte> approval, bool standIn)
    {
        lock (_lock)
        {
            if (!Owns(slot, key)) return null;
            ref RecentTransaction e = ref _ring[slot];
            e.State = state;
            e.StandInApproved = standIn && code.IsApproved;
            e.ResponseCode = code;
            e.ApprovalCode = ApprovalCodeValue.From(approval);
            Transaction? waiter = e.Waiter;
            e.Waiter = null;
            return waiter;
        }
    }

    /// <summary>Parks a repeat until the original finishes. False when the original already finished or someone already waits.</summary>
    internal bool TryAttachWaiter(in TransactionKey key, Transaction repeat, out RecentTransaction current)
    {
        lock (_lock)
        {
            if (!_slotByKey.TryGetValue(key, out int slot))
            {
                current = default;
                return false;
            }
            ref RecentTransaction e = ref _ring[slot];
            current = e;
            if (e.State != RecentState.InFlight || e.Waiter is not null) return false;
            e.Waiter = repeat;
            return true;
        }
    }

    /// <summary>
    /// Where a replay must start to rebuild this index whole: the oldest entry's <see cref="RecentTransaction.ArrivedAtSequence"/>
    /// (no later entry's Forwarded record lies before it), or null when the index is empty. Once a second, from the
    /// engine's timer.
    /// </summary>
    public long? OldestArrivedAtSequence()
    {
        lock (_lock)
        {
            return _count == 0 ? null : _ring[_count == _ring.Length ? _next : 0].ArrivedAtSequence;
        }
    }

    public bool TryFind(in TransactionKey key, out RecentTransaction entry)
    {
        lock (_lock)
        {
            if (_slotByKey.TryGetValue(key, out int slot))
            {
                entry = _ring[slot];
                return true;
            }
        }
        entry = default;
        return false;
    }

    /// <summary>Marks the original reversed by its acquirer. False when it already was (a repeat) or is unknown.</summary>
    public bool TryMarkReversalRequested(in TransactionKey key)
    {
        lock (_lock)
        {
            if (!_slotByKey.TryGetValue(key, out int slot) || _ring[slot].ReversalRequested) return false;
            _ring[slot].ReversalRequested = true;
            return true;
        }
    }
}
