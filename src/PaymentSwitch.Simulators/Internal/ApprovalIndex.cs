using System.Diagnostics;
using System.Numerics;

namespace PaymentSwitch.Simulators.Internal;

/// <summary>What <see cref="ApprovalIndex.TryBook"/> did.</summary>
internal enum BookOutcome : byte
{
    /// <summary>New: remembered, the caller books it.</summary>
    Booked,
    /// <summary>The same transaction is already booked: book nothing, answer as before.</summary>
    Duplicate,
    /// <summary>A reversal for it arrived first (or it was booked and reversed): book nothing, decline.</summary>
    ReversedBeforeArrival,
}

/// <summary>What <see cref="ApprovalIndex.Reverse"/> did.</summary>
internal enum ReverseOutcome : byte
{
    /// <summary>A booked approval or advice, now marked reversed: the caller books the reversal of its amount.</summary>
    Reversed,
    /// <summary>Already reversed: book nothing, answer 00.</summary>
    AlreadyReversed,
    /// <summary>Nothing booked under that key: a tombstone is remembered so a late original is declined; answer 25.</summary>
    NotFound,
}

/// <summary>
/// The card issuer's memory of booked transactions, for matching reversals (DE90) to what they reverse. Keyed by
/// <see cref="CardTransactionKey"/> (its packed 64-bit form is the hash; DE7 and DE32 are confirmed in full).
/// </summary>
/// <remarks>
/// <para>Bounded: at most <c>maxEntries</c> entries, split over a power-of-two number of shards. When a shard is full
/// the oldest entry of that shard is evicted (first in, first out) and counted in <see cref="Evictions"/>. An evicted
/// approval can no longer be reversed (its reversal answers 25 and the money stays booked), and an evicted tombstone no
/// longer blocks its late original, so size the bound for the longest reversal window you test.</para>
/// <para>Each shard is a ring of entries with chained buckets (indices, no nodes); entries are allocated in 80 KB chunks as
/// the shard fills (never copied, never on the large-object heap), so inserting, looking up and evicting allocate nothing
/// once the ring has grown to its working size. The check-and-insert that keeps money safe
/// (an original must not be booked after its reversal's tombstone) is atomic per key, so each shard is guarded by a
/// lock held for a few dozen nanoseconds; with 64 shards two connections rarely meet. Readers of the ledger never
/// take these locks: <see cref="Count"/> and <see cref="Evictions"/> are read atomically.</para>
/// </remarks>
internal sealed class ApprovalIndex
{
    /// <summary>Bytes one entry takes (for sizing documentation): key, DE7, DE32, amount, chain link, state.</summary>
    public const int EntryBytes = 40;

    private readonly Shard[] _shards;
    private readonly int _shardMask;
    private long _evictions;

    public ApprovalIndex(int maxEntries)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        // Up to 64 shards, each holding at least 64 entries (fewer shards when the bound is small).
        int shards = (int)Math.Min(64, BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, maxEntries / 64)));
        if (shards > 1 && maxEntries / shards < 64) shards >>= 1;
        _shards = new Shard[shards];
        _shardMask = shards - 1;
        int perShard = maxEntries / shards;
        int remainder = maxEntries % shards;
        for (int i = 0; i < shards; i++) _shards[i] = new Shard(perShard + (i < remainder ? 1 : 0), this);
        MaxEntries = maxEntries;
    }

    public int MaxEntries { get; }

    public long Evictions => Volatile.Read(ref _evictions);

    public long Count
    {
        get
        {
            long total = 0;
            foreach (Shard shard in _shards) total += Volatile.Read(ref shard.CountForReaders);
            return total;
        }
    }

    private static ulong Hash(ulong packed) => packed * 0x9E3779B97F4A7C15UL;

    private Shard ShardOf(ulong hash) => _shards[(int)(hash >> 58) & _shardMask];

    /// <summary>Remembers an approved request or an advice, unless the same transaction is already known.</summary>
    public BookOutcome TryBook(in CardTransactionKey key, long amountMinor, bool advice)
    {
        ulong packed = key.Packed;
        ulong hash = Hash(packed);
        Shard shard = ShardOf(hash);
        lock (shard.Lock)
        {
            int found = shard.Find(hash, packed, key.De7, key.De32);
            if (found >= 0)
            {
                return shard.At(found).State is EntryState.Approved or EntryState.Advice
                    ? BookOutcome.Duplicate
                    : BookOutcome.ReversedBeforeArrival;
            }
            shard.Insert(hash, packed, key.De7, key.De32, amountMinor, advice ? EntryState.Advice : EntryState.Approved);
            return BookOutcome.Booked;
        }
    }

    /// <summary>Reverses the transaction once; <paramref name="amountMinor"/> is the booked amount when the outcome is <see cref="ReverseOutcome.Reversed"/>.</summary>
    public ReverseOutcome Reverse(in CardTransactionKey key, out long amountMinor, out bool wasAdvice)
    {
        ulong packed = key.Packed;
        ulong hash = Hash(packed);
        Shard shard = ShardOf(hash);
        amountMinor = 0;
        wasAdvice = false;
        lock (shard.Lock)
        {
            int found = shard.Find(hash, packed, key.De7, key.De32);
            if (found < 0)
            {
                shard.Insert(hash, packed, key.De7, key.De32, 0, EntryState.Tombstone);
                return ReverseOutcome.NotFound;
            }
            ref Entry entry = ref shard.At(found);
            switch (entry.State)
            {
                case EntryState.Approved:
                case EntryState.Advice:
                    amountMinor = entry.AmountMinor;
                    wasAdvice = entry.State == EntryState.Advice;
                    entry.State = EntryState.Reversed;
                    return ReverseOutcome.Reversed;
                case EntryState.Reversed:
                    return ReverseOutcome.AlreadyReversed;
                default:
                    Debug.Assert(entry.State == EntryState.Tombstone);
                    return ReverseOutcome.NotFound;
            }
        }
    }

    /// <summary>Forgets everything (the eviction count too).</summary>
    public void Clear()
    {
        foreach (Shard shard in _shards)
        {
            lock (shard.Lock) shard.Clear();
        }
        Interlocked.Exchange(ref _evictions, 0);
    }

    private enum EntryState : byte
    {
        Approved = 1,
        Advice,
        Reversed,
        Tombstone,
    }

    private struct Entry
    {
        public ulong Packed;
        public long De7;
        public long De32;
        public long AmountMinor;
        public int Next;        // index + 1 of the next entry in the bucket chain; 0 ends it
        public EntryState State;
    }

    private sealed class Shard
    {
        /// <summary>Entries are allocated in chunks of this many (80 KB, below the large-object heap), as the shard fills.</summary>
        private const int ChunkShift = 11;
        private const int ChunkEntries = 1 << ChunkShift;

        public readonly Lock Lock = new();
        public long CountForReaders;
        private readonly ApprovalIndex _owner;
        private readonly int _capacity;
        private readonly Entry[]?[] _chunks;
        private readonly int[] _buckets;   // index + 1 of the first entry in the chain; 0 = empty
        private readonly int _bucketMask;
        private int _head;                 // oldest entry
        private int _count;

        public Shard(int capacity, ApprovalIndex owner)
        {
            Debug.Assert(capacity >= 1);
            _owner = owner;
            _capacity = capacity;
            _chunks = new Entry[]?[(capacity + ChunkEntries - 1) >> ChunkShift];
            int buckets = (int)BitOperations.RoundUpToPowerOf2((uint)capacity);
            _buckets = new int[buckets];
            _bucketMask = buckets - 1;
        }

        public ref Entry At(int index) => ref _chunks[index >> ChunkShift]![index & (ChunkEntries - 1)];

        private int BucketOf(ulong hash) => (int)(uint)hash & _bucketMask;

        public int Find(ulong hash, ulong packed, long de7, long de32)
        {
            for (int i = _buckets[BucketOf(hash)] - 1; i >= 0; i = At(i).Next - 1)
            {
                ref Entry e = ref At(i);
                if (e.Packed == packed && e.De7 == de7 && e.De32 == de32) return i;
            }
            return -1;
        }

        public void Insert(ulong hash, ulong packed, long de7, long de32, long amountMinor, EntryState state)
        {
            int slot;
            if (_count == _capacity)
            {
                slot = _head;
                Unlink(slot);
                _head = _head + 1 == _capacity ? 0 : _head + 1;
                Interlocked.Increment(ref _owner._evictions);
            }
            else
            {
                // Until the shard first fills, entries sit at 0.._count-1 with the head at 0.
                Debug.Assert(_head == 0);
                slot = _count++;
                _chunks[slot >> ChunkShift] ??= new Entry[Math.Min(ChunkEntries, _capacity)];
                Volatile.Write(ref CountForReaders, _count);
            }
            int bucket = BucketOf(hash);
            At(slot) = new Entry { Packed = packed, De7 = de7, De32 = de32, AmountMinor = amountMinor, State = state, Next = _buckets[bucket] };
            _buckets[bucket] = slot + 1;
        }

        private void Unlink(int slot)
        {
            int bucket = BucketOf(Hash(At(slot).Packed));
            if (_buckets[bucket] == slot + 1)
            {
                _buckets[bucket] = At(slot).Next;
                return;
            }
            for (int i = _buckets[bucket] - 1; i >= 0; i = At(i).Next - 1)
            {
                if (At(i).Next == slot + 1)
                {
                    At(i).Next = At(slot).Next;
                    return;
                }
            }
            Debug.Fail("An entry in the ring was missing from its bucket chain.");
        }

        public void Clear()
        {
            Array.Clear(_buckets);
            Array.Clear(_chunks);
            _head = 0;
            _count = 0;
            Volatile.Write(ref CountForReaders, 0);
        }
    }
}
