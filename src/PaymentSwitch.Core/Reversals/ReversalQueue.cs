using System.Diagnostics;

namespace PaymentSwitch.Core.Reversals;

/// <summary>
/// The store-and-forward queue of reversals the switch owes issuers (money-safety rule 3). Each is journaled before it
/// is queued (its Forwarded record plus a timeout outcome, an acquirer's request, or nothing at all after a crash), so
/// a restart rebuilds the queue from the journal. Attempts go out when the issuer's link is up, at most
/// <see cref="MaxInFlightPerIssuer"/> at a time per issuer, with a doubling backoff between attempts (capped).
/// </summary>
/// <remarks>
/// Not bounded by count: a reversal is money owed and is never dropped. Its memory is a few hundred bytes per
/// reversal; the status page shows the depth so an operator sees a growing queue (an issuer down for long).
/// Writers (the engine) take a short lock; readers of the depth (status page, metrics) take none: the counts are
/// kept beside the queue and published with volatile writes.
/// </remarks>
public sealed class ReversalQueue
{
    public const int MaxInFlightPerIssuer = 64;
    private static readonly long InitialBackoffTicks = Stopwatch.Frequency / 2;
    private static readonly long MaxBackoffTicks = Stopwatch.Frequency * 30;

    private readonly Lock _lock = new();
    private readonly Dictionary<long, PendingReversal> _owed = [];
    private long _completed;
    private long _attempts;

    // Kept by the writers under _lock, read without it. The per-issuer map is replaced (never changed) when an issuer
    // is first seen; its counters change in place.
    private int _count;
    private int _adviceCount;
    private Dictionary<string, int[]> _depth = [];

    /// <summary>Reversals owed and not yet answered.</summary>
    public int Count => Volatile.Read(ref _count);

    public long CompletedTotal => Volatile.Read(ref _completed);

    public long AttemptsTotal => Volatile.Read(ref _attempts);

    /// <summary>Queues a reversal; a second one for the same original is ignored (a reversal is sent once to completion).</summary>
    public bool Enqueue(PendingReversal reversal)
    {
        lock (_lock)
        {
            if (!_owed.TryAdd(reversal.QueueKey, reversal)) return false;
            CountLocked(reversal, +1);
            return true;
        }
    }

    private void CountLocked(PendingReversal reversal, int delta)
    {
        Volatile.Write(ref _count, _count + delta);
        if (reversal.IsAdvice) Volatile.Write(ref _adviceCount, _adviceCount + delta);
        string issuer = reversal.Original.IssuerId;
        if (!_depth.TryGetValue(issuer, out int[]? cell))
        {
            cell = new int[1];
            Volatile.Write(ref _depth, new Dictionary<string, int[]>(_depth) { [issuer] = cell });
        }
        Volatile.Write(ref cell[0], cell[0] + delta);
    }

    /// <summary>True when a reversal (not an advice) of <paramref name="forwardedSequence"/> is owed.</summary>
    public bool Contains(long forwardedSequence)
    {
        lock (_lock) return _owed.ContainsKey(forwardedSequence * 4);
    }

    /// <summary>Owed advices of stand-in approvals (the rest of <see cref="Count"/> are reversals).</summary>
    public int AdviceCount => Volatile.Read(ref _adviceCount);

    /// <summary>Owed reversals per issuer id, issuers owed nothing left out (for the status page; takes no lock).</summary>
    public IReadOnlyDictionary<string, int> DepthByIssuer()
    {
        var depth = new Dictionary<string, int>();
        foreach ((string issuer, int[] cell) in Volatile.Read(ref _depth))
        {
            int owed = Volatile.Read(ref cell[0]);
            if (owed > 0) depth[issuer] = owed;
        }
        return depth;
    }

    /// <summary>Takes the reversals due now whose issuer can take them, marking them in flight.</summary>
    internal List<PendingReversal>? TakeDue(long now, Func<PendingReversal, bool> issuerAvailable)
    {
        List<PendingReversal>? due = null;
        lock (_lock)
        {
            if (_owed.Count == 0) return null;
            Dictionary<string, int>? inFlight = null;
            foreach (PendingReversal r in _owed.Values)
            {
                if (!r.InFlight) continue;
                inFlight ??= [];
                inFlight[r.Original.IssuerId] = inFlight.GetValueOrDefault(r.Original.IssuerId) + 1;
            }
            foreach (PendingReversal r in _owed.Values)
            {
                if (r.InFlight || r.NextAttemptTimestamp > now) continue;
                int busy = inFlight?.GetValueOrDefault(r.Original.IssuerId) ?? 0;
                if (busy >= MaxInFlightPerIssuer || !issuerAvailable(r)) continue;
                r.InFlight = true;
                inFlight ??= [];
                inFlight[r.Original.IssuerId] = busy + 1;
                (due ??= []).Add(r);
            }
        }
        if (due is not null) Interlocked.Add(ref _attempts, due.Count);
        return due;
    }

    /// <summary>An attempt got no answer (timeout, link down): try again after a doubling backoff.</summary>
    internal void OnAttemptFailed(PendingReversal reversal, long now)
    {
        lock (_lock)
        {
            reversal.Attempts++;
            long backoff = Math.Min(MaxBackoffTicks, InitialBackoffTicks << Math.Min(reversal.Attempts - 1, 10));
            reversal.NextAttemptTimestamp = now + backoff;
            reversal.InFlight = false;
        }
    }

    /// <summary>The issuer answered and the completion is durable: the reversal is done.</summary>
    internal void OnCompleted(PendingReversal reversal)
    {
        lock (_lock)
        {
            reversal.Completed = true;
            reversal.InFlight = false;
            if (_owed.Remove(reversal.QueueKey))
            {
                _completed++;
                CountLocked(reversal, -1);
            }
        }
    }

    /// <summary>The smallest Forwarded sequence still owed a reversal (the journal must keep it), or null.</summary>
    public long? OldestOwedSequence()
    {
        lock (_lock) return _owed.Count == 0 ? null : _owed.Keys.Min() / 4;
    }
}
