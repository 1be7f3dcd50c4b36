using System.Diagnostics;
using PaymentSwitch.Core.Authorisation;

namespace PaymentSwitch.Core.Issuers.Internal;

/// <summary>
/// The requests an issuer has not answered yet, indexed by the STAN the switch gave them (1–999,999), so an answer is
/// matched in O(1) whatever order answers come in, and STANs never collide across terminals.
/// </summary>
/// <remarks>
/// STANs are handed out in sequence. Registration takes a short lock (it is a writer); matching an answer
/// (<see cref="TryTake"/>) is one compare-and-swap, lock-free. Because every request to an issuer has the same
/// timeout and sequence order is registration order, deadlines rise with the sequence: the timeout scan walks
/// forward from where it stopped and stops at the first request not yet due. Bounded: at most
/// <c>maxInFlight</c> requests; past it <see cref="TryRegister"/> fails and the caller answers DE39 = 91 at once.
/// </remarks>
internal sealed class PendingTable
{
    /// <summary>STANs run from 1 to 999,999.</summary>
    public const int StanSpace = 999_999;

    private readonly Transaction?[] _slots = new Transaction?[StanSpace + 1];
    private readonly Lock _registerLock = new();
    private readonly int _maxInFlight;
    private long _nextSequence;
    private long _scanSequence;
    private int _count;

    public PendingTable(int maxInFlight)
    {
        Debug.Assert(maxInFlight < StanSpace / 2, "the STAN space must be much larger than the in-flight bound");
        _maxInFlight = maxInFlight;
    }

    public int Count => Volatile.Read(ref _count);

    /// <summary>Gives <paramref name="transaction"/> the next free STAN and its deadline. False when the bound is reached.</summary>
    public bool TryRegister(Transaction transaction, long deadlineTimestamp)
    {
        lock (_registerLock)
        {
            if (_count >= _maxInFlight) return false;
            while (true)
            {
                long sequence = _nextSequence + 1;
                int stan = (int)(sequence % StanSpace) + 1;
                if (_slots[stan] is not null)
                {
                    // A STAN still held by a very old request is skipped, not reused.
                    Volatile.Write(ref _nextSequence, sequence);
                    continue;
                }
                transaction.PendingSequence = sequence;
                transaction.IssuerStan = stan;
                transaction.DeadlineTimestamp = deadlineTimestamp;
                Volatile.Write(ref _slots[stan], transaction);
                _count++;
                // Published after the slot, so the timeout scan never passes a sequence whose request it cannot see.
                Volatile.Write(ref _nextSequence, sequence);
                return true;
            }
        }
    }

    /// <summary>Continues STAN numbering after <paramref name="lastStan"/> (the last one used before a restart), so STANs
    /// and the RRNs built from them do not repeat at the issuer. Call before the first registration.</summary>
    public void ContinueAfter(int lastStan)
    {
        lock (_registerLock)
        {
            if (_count != 0 || (uint)(lastStan - 1) >= StanSpace) return;
            _nextSequence = lastStan; // sequence s gives STAN (s % StanSpace) + 1, so the next STAN is lastStan + 1
            _scanSequence = _nextSequence;
        }
    }

    /// <summary>Deadline of a request registered but not yet sent (its Forwarded record is still being made durable).</summary>
    public const long Unarmed = long.MaxValue;

    /// <summary>
    /// Starts the timeout of a request registered with <see cref="Unarmed"/>, once it is really sent. Until then the
    /// timeout scan stops at it (deadlines rise with the sequence), which delays other timeouts by at most one journal write.
    /// </summary>
    public static void Arm(Transaction transaction, long deadlineTimestamp) => Volatile.Write(ref transaction.DeadlineTimestamp, deadlineTimestamp);

    /// <summary>The request waiting under <paramref name="stan"/>, left in place; null when none. Take it with <see cref="TryTake(int, Transaction)"/>.</summary>
    public Transaction? Peek(int stan) => (uint)(stan - 1) >= StanSpace ? null : Volatile.Read(ref _slots[stan]);

    /// <summary>
    /// Removes <paramref name="peeked"/> from under <paramref name="stan"/> only if it is still there (not taken by its
    /// timeout meanwhile; once taken, the pooled object could only come back under this STAN after the numbering wraps).
    /// </summary>
    public bool TryTake(int stan, Transaction peeked)
    {
        if ((uint)(stan - 1) >= StanSpace) return false;
        if (Interlocked.CompareExchange(ref _slots[stan], null, peeked) != peeked) return false;
        Interlocked.Decrement(ref _count);
        return true;
    }

    /// <summary>Removes and returns the request waiting under <paramref name="stan"/>; null when none (unknown or already answered/timed out).</summary>
    public Transaction? TryTake(int stan)
    {
        if ((uint)(stan - 1) >= StanSpace) return null;
        Transaction? transaction = Volatile.Read(ref _slots[stan]);
        if (transaction is null || Interlocked.CompareExchange(ref _slots[stan], null, transaction) != transaction) return null;
        Interlocked.Decrement(ref _count);
        return transaction;
    }

    /// <summary>Removes <paramref name="transaction"/> only if it is still waiting under that use (<paramref name="sequence"/>).</summary>
    public bool TryTake(Transaction transaction, long sequence)
    {
        int stan = transaction.IssuerStan;
        if ((uint)(stan - 1) >= StanSpace || transaction.PendingSequence != sequence) return false;
        if (Interlocked.CompareExchange(ref _slots[stan], null, transaction) != transaction) return false;
        Interlocked.Decrement(ref _count);
        return true;
    }

    /// <summary>Removes every request whose deadline is at or before <paramref name="now"/> and hands it to <paramref name="onExpired"/>. One caller at a time.</summary>
    public int ExpireDue(long now, Action<Transaction> onExpired)
    {
        int expired = 0;
        long end = Volatile.Read(ref _nextSequence);
        while (_scanSequence < end)
        {
            long sequence = _scanSequence + 1;
            int stan = (int)(sequence % StanSpace) + 1;
            Transaction? transaction = Volatile.Read(ref _slots[stan]);
            if (transaction is not null && transaction.PendingSequence == sequence)
            {
                if (Volatile.Read(ref transaction.DeadlineTimestamp) > now) break;
                if (Interlocked.CompareExchange(ref _slots[stan], null, transaction) == transaction)
                {
                    Interlocked.Decrement(ref _count);
                    expired++;
                    onExpired(transaction);
                }
            }
            _scanSequence = sequence;
        }
        return expired;
    }
}
