using System.Diagnostics;

namespace PaymentSwitch.Simulators.Internal;

/// <summary>
/// The wallet issuer's memory: every authorisation answer by idempotency key (so a repeat gets the same answer and
/// books nothing), every reversal answer by its own key, and tombstones for reversals that came before their original.
/// </summary>
/// <remarks>
/// Bounded: at most <c>maxEntries</c> keys (authorisations, tombstones and reversals together), split over 16 shards;
/// when a shard is full its oldest key is forgotten and counted in <see cref="Evictions"/> (a repeat of a forgotten
/// request would be booked again, a reversal of it would answer not_found). Each shard is guarded by a lock held only
/// to look up and update its dictionaries; a reversal lives in the shard of the key it reverses, so the check of a
/// tombstone and the booking of its original are atomic. Ledger readers never take these locks.
/// </remarks>
internal sealed class WalletBook
{
    private const int ShardCount = 16;

    private readonly Shard[] _shards = new Shard[ShardCount];
    private readonly IssuerLedger _ledger;
    private long _evictions;
    private long _entries;

    public WalletBook(int maxEntries, IssuerLedger ledger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, ShardCount);
        _ledger = ledger;
        for (int i = 0; i < ShardCount; i++) _shards[i] = new Shard((maxEntries / ShardCount) + (i < maxEntries % ShardCount ? 1 : 0));
    }

    public long Evictions => Volatile.Read(ref _evictions);
    public long Count => Volatile.Read(ref _entries);

    /// <summary>A stable 64-bit hash of a key (FNV-1a over its UTF-16 code units): shard choice and approval codes.</summary>
    public static ulong Hash(string key)
    {
        ulong hash = 14695981039346656037UL;
        foreach (char c in key)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return hash;
    }

    private Shard ShardOf(string key) => _shards[(int)(Hash(key) >> 60) & (ShardCount - 1)];

    /// <summary>
    /// Answers an authorisation, financial request or advice once per idempotency key. <paramref name="decide"/> runs
    /// (under the shard's lock) only for a key seen for the first time.
    /// </summary>
    public WalletAuthorisationResponse Authorise(string key, long amountMinor, bool advice, Func<WalletAuthorisationResponse> decide)
    {
        Shard shard = ShardOf(key);
        lock (shard.Lock)
        {
            if (shard.Authorisations.TryGetValue(key, out Authorisation? known))
            {
                if (!known.Tombstone)
                {
                    _ledger.DuplicateRequest();
                    return known.Response;
                }
                // A reversal came first: decline, book nothing, and answer repeats the same way.
                known.Tombstone = false;
                known.Response = new WalletAuthorisationResponse("declined", "05", null, "reversed before arrival");
                _ledger.DeclinedAfterReversal(amountMinor);
                return known.Response;
            }

            WalletAuthorisationResponse response = decide();
            bool approved = response.Status == "approved";
            if (approved && advice) _ledger.Advice(amountMinor);
            else if (approved) _ledger.Approved(amountMinor);
            else _ledger.Declined(amountMinor);
            shard.Authorisations[key] = new Authorisation { Response = response, AmountMinor = amountMinor, Booked = approved };
            Remember(shard, key, reversal: false);
            return response;
        }
    }

    /// <summary>Reverses the authorisation <paramref name="originalKey"/> once; a repeat of <paramref name="reversalKey"/> gets the first answer.</summary>
    public WalletReversalResponse Reverse(string reversalKey, string originalKey)
    {
        Shard shard = ShardOf(originalKey);
        lock (shard.Lock)
        {
            if (shard.Reversals.TryGetValue(reversalKey, out WalletReversalResponse? repeat))
            {
                _ledger.DuplicateReversal();
                return repeat;
            }

            WalletReversalResponse response;
            if (!shard.Authorisations.TryGetValue(originalKey, out Authorisation? original))
            {
                shard.Authorisations[originalKey] = new Authorisation { Tombstone = true, Response = NotFoundAuthorisation };
                Remember(shard, originalKey, reversal: false);
                _ledger.UnknownReversal();
                response = NotFound;
            }
            else if (original.Booked && !original.Reversed)
            {
                original.Reversed = true;
                _ledger.Reversed(original.AmountMinor);
                response = Reversed;
            }
            else if (original.Reversed)
            {
                _ledger.DuplicateReversal();
                response = AlreadyReversed;
            }
            else
            {
                // A tombstone, or an original that was declined: nothing booked to reverse.
                _ledger.UnknownReversal();
                response = NotFound;
            }
            shard.Reversals[reversalKey] = response;
            Remember(shard, reversalKey, reversal: true);
            return response;
        }
    }

    public void Clear()
    {
        foreach (Shard shard in _shards)
        {
            lock (shard.Lock)
            {
                Interlocked.Add(ref _entries, -shard.Order.Count);
                shard.Authorisations.Clear();
                shard.Reversals.Clear();
                shard.Order.Clear();
            }
        }
        Interlocked.Exchange(ref _evictions, 0);
    }

    private static readonly WalletReversalResponse Reversed = new("reversed", "00");
    private static readonly WalletReversalResponse AlreadyReversed = new("already_reversed", "00");
    private static readonly WalletReversalResponse NotFound = new("not_found", "25");
    private static readonly WalletAuthorisationResponse NotFoundAuthorisation = new("declined", "05", null, "reversed before arrival");

    private void Remember(Shard shard, string key, bool reversal)
    {
        shard.Order.Enqueue((key, reversal));
        Interlocked.Increment(ref _entries);
        while (shard.Order.Count > shard.Capacity)
        {
            (string oldest, bool wasReversal) = shard.Order.Dequeue();
            bool removed = wasReversal ? shard.Reversals.Remove(oldest) : shard.Authorisations.Remove(oldest);
            Debug.Assert(removed, "Every remembered key is in its dictionary.");
            Interlocked.Decrement(ref _entries);
            Interlocked.Increment(ref _evictions);
        }
    }

    private sealed class Authorisation
    {
        public required WalletAuthorisationResponse Response;
        public long AmountMinor;
        public bool Booked;
        public bool Reversed;
        public bool Tombstone;
    }

    private sealed class Shard(int capacity)
    {
        public readonly Lock Lock = new();
        public readonly int Capacity = Math.Max(1, capacity);
        public readonly Dictionary<string, Authorisation> Authorisations = new(StringComparer.Ordinal);
        public readonly Dictionary<string, WalletReversalResponse> Reversals = new(StringComparer.Ordinal);
        public readonly Queue<(string Key, bool Reversal)> Order = new();
    }
}
