using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PaymentSwitch.Core.Routing.Internal;

namespace PaymentSwitch.Core.Routing;

/// <summary>
/// An immutable snapshot of the BIN routing configuration: given a card number (PAN), the issuer that receives
/// the authorisation. Lookups allocate nothing and take no lock; a change of configuration builds a new table
/// (see <see cref="BinRouter"/>).
/// </summary>
/// <remarks>
/// <para><b>Matching.</b> A route of <c>L</c> digits (1..11) with ends <c>Low</c>..<c>High</c> matches a PAN when
/// the PAN has at least <c>L</c> digits and its first <c>L</c> digits, read as a number, lie within
/// <c>Low</c>..<c>High</c>. A prefix is the range whose ends are equal.</para>
/// <para><b>Most specific wins.</b> Among the routes that match:</para>
/// <list type="number">
/// <item>the route with more digits wins (a 8-digit range beats a 6-digit prefix, whatever their widths);</item>
/// <item>among equal lengths, the narrower range wins (fewer values from Low to High; a prefix is width 1);</item>
/// <item>two routes of the same length and width that overlap and name different issuers cannot be ordered,
/// so the table refuses to build (exact duplicates for different issuers are the simplest case);</item>
/// <item>if they name the same issuer, the routing is the same either way; the earlier entry is reported as the
/// match.</item>
/// </list>
/// <para><b>Structure.</b> Each route is the interval [Low·10^(11−L), (High+1)·10^(11−L)) of 11-digit keys.
/// At build time the intervals are flattened, by one sweep, into sorted non-overlapping segments that each
/// carry their winning route; a lookup reads the first 11 digits of the PAN as a key, picks a bucket by the key's
/// top bits and binary-searches the few segments of that bucket. PANs shorter than 11 digits (not real card
/// numbers, but accepted) search per-length tables from their own length down, so a longer route never matches
/// them.</para>
/// </remarks>
public sealed partial class BinRoutingTable
{
    /// <summary>Most digits in a route (and digits read from the PAN).</summary>
    public const int MaxRouteDigits = PanKey.KeyDigits;

    /// <summary>Most routes one table holds (8,388,608).</summary>
    public const int MaxRouteCount = SpecificityKey.MaxEntries;

    /// <summary>Longest issuer id.</summary>
    public const int MaxIssuerIdChars = 64;

    private readonly RouteRecord[] _routes;
    private readonly string[] _issuers;

    /// <summary>The whole key space, for PANs of 11 digits or more; sorted by start; the first starts at 0.</summary>
    private readonly RouteSegment[] _segments;

    /// <summary>For bucket b (key &gt;&gt; _bucketShift), the segment holding the bucket's first key; one extra entry at the end.</summary>
    private readonly int[] _bucketFirstSegment;
    private readonly int _bucketShift;

    /// <summary>Index L (1..10): segments of the routes of exactly L digits, or null; for PANs shorter than 11 digits.</summary>
    private readonly RouteSegment[]?[] _segmentsByLength;

    private BinRoutingTable(
        RouteRecord[] routes, string[] issuers, RouteSegment[] segments, RouteSegment[]?[] segmentsByLength,
        long version, string? source, DateTimeOffset builtAtUtc)
    {
        _routes = routes;
        _issuers = issuers;
        _segments = segments;
        _segmentsByLength = segmentsByLength;
        (_bucketFirstSegment, _bucketShift) = BuildBucketIndex(segments);
        Version = version;
        Source = source;
        BuiltAtUtc = builtAtUtc;
        Routes = new RouteListView(routes, issuers);
        Issuers = Array.AsReadOnly(issuers);
    }

    /// <summary>A table with no routes (version 0): every well-formed PAN gets <see cref="BinRouteMatchStatus.NoRoute"/>.</summary>
    public static BinRoutingTable Empty { get; } = Build([], new BinRoutingTableBuildOptions { Version = 0, Source = "empty" });

    /// <summary>Version of this snapshot; a <see cref="BinRouter"/> increases it by one per successful reload.</summary>
    public long Version { get; }

    /// <summary>Number of routes.</summary>
    public int RouteCount => _routes.Length;

    /// <summary>When the table was built (UTC).</summary>
    public DateTimeOffset BuiltAtUtc { get; }

    /// <summary>Where the routes came from, as given to the builder.</summary>
    public string? Source { get; }

    /// <summary>
    /// The routes in configuration order (a match's <see cref="BinRouteMatch.RouteIndex"/> indexes it).
    /// Values are rebuilt on access: for GET /routes and diagnostics.
    /// </summary>
    public IReadOnlyList<BinRoute> Routes { get; }

    /// <summary>Distinct issuer ids in order of first appearance (a match's <see cref="BinRouteMatch.IssuerIndex"/> indexes it).</summary>
    public IReadOnlyList<string> Issuers { get; }

    /// <summary>Number of non-overlapping segments the routes flattened into (at most 2 × routes + 1).</summary>
    public int SegmentCount => _segments.Length;

    /// <summary>
    /// Finds the issuer for a card number given as ASCII digits (for instance DE2 straight from the message
    /// buffer). Allocates nothing, never throws for bad input: see <see cref="BinRouteMatch.Status"/>.
    /// </summary>
    public BinRouteMatch Lookup(ReadOnlySpan<byte> pan)
    {
        int digits = PanKey.Parse(pan, out long key);
        return Resolve(digits, key);
    }

    /// <summary>Same as <see cref="Lookup(ReadOnlySpan{byte})"/> for a card number held as UTF-16 text.</summary>
    public BinRouteMatch Lookup(ReadOnlySpan<char> pan)
    {
        int digits = PanKey.Parse(pan, out long key);
        return Resolve(digits, key);
    }

    internal string IssuerIdAt(int issuerIndex) => _issuers[issuerIndex];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private BinRouteMatch Resolve(int digits, long key)
    {
        if (digits == 0)
        {
            return new BinRouteMatch(this, BinRouteMatchStatus.InvalidPan, -1, -1);
        }

        RouteSegment segment = digits >= PanKey.KeyDigits ? FindSegment(key) : FindSegmentForShortPan(key, digits);

        // Without a branch (about half the PANs of real traffic miss, so it would be mispredicted often):
        // a segment without a route has EntryIndex -1, whose sign bit turns Matched (1) into NoRoute (0).
        Debug.Assert(segment.EntryIndex >= -1 && (segment.EntryIndex < 0) == (segment.IssuerIndex < 0));
        var status = (BinRouteMatchStatus)((segment.EntryIndex >> 31) + (int)BinRouteMatchStatus.Matched);
        return new BinRouteMatch(this, status, segment.EntryIndex, segment.IssuerIndex);
    }

    /// <summary>The segment containing <paramref name="key"/>: one bucket read, then a short branch-free binary search.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private RouteSegment FindSegment(long key)
    {
        Debug.Assert((ulong)key < PanKey.KeySpaceEnd);
        int bucket = (int)((ulong)key >> _bucketShift);
        Debug.Assert(bucket + 1 < _bucketFirstSegment.Length);
        ref int bucketFirst = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_bucketFirstSegment), bucket);
        int first = bucketFirst;
        int candidates = Unsafe.Add(ref bucketFirst, 1) - first + 1;
        Debug.Assert(first >= 0 && first + candidates <= _segments.Length);

        ref RouteSegment found = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_segments), first);
        return SearchLastStartingAtOrBefore(ref found, candidates, key);
    }

    private RouteSegment FindSegmentForShortPan(long key, int digits)
    {
        Debug.Assert(digits is > 0 and < PanKey.KeyDigits);

        // Longer routes always win, so the first length (from the PAN's own down) with a match decides.
        for (int length = digits; length >= 1; length--)
        {
            RouteSegment[]? segments = _segmentsByLength[length];
            if (segments is null)
            {
                continue;
            }

            RouteSegment segment = SearchLastStartingAtOrBefore(
                ref MemoryMarshal.GetArrayDataReference(segments), segments.Length, key);
            if (segment.EntryIndex >= 0)
            {
                return segment;
            }
        }

        return RouteSegment.NoRouteFrom(0);
    }

    /// <summary>
    /// The last of <paramref name="count"/> segments from <paramref name="first"/> whose start is at or before the
    /// key. The first segment must start at or before the key.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref RouteSegment SearchLastStartingAtOrBefore(ref RouteSegment first, int count, long key)
    {
        Debug.Assert(count >= 1 && first.Start <= key);
        nint found = 0;
        while (count > 1)
        {
            int half = count >> 1;

            // Branch-free step (random keys would mispredict a branch half the time; the JIT does not turn
            // selects inside loops into cmov): keys and starts lie in [0, 10^11], so the difference cannot
            // overflow, and its sign says whether to move up.
            long startMinusKeyMinusOne = Unsafe.Add(ref first, found + half).Start - key - 1;
            found += half & (nint)(startMinusKeyMinusOne >> 63);
            count -= half;
        }

        return ref Unsafe.Add(ref first, found);
    }

    /// <summary>
    /// Buckets over the top bits of the key, about one bucket per segment (2^4 to 2^20 buckets): a lookup
    /// searches only the segments that start inside its bucket, plus the one that enters it.
    /// </summary>
    private static (int[] BucketFirstSegment, int Shift) BuildBucketIndex(RouteSegment[] segments)
    {
        int bits = Math.Clamp(System.Numerics.BitOperations.Log2((uint)segments.Length), 4, 20);
        int shift = PanKey.KeyBits - bits;
        int bucketCount = 1 << bits;
        var firstSegment = new int[bucketCount + 1];
        int segment = 0;
        for (int bucket = 0; bucket <= bucketCount; bucket++)
        {
            long bucketStart = (long)bucket << shift;
            while (segment + 1 < segments.Length && segments[segment + 1].Start <= bucketStart)
            {
                segment++;
            }

            firstSegment[bucket] = segment;
        }

        return (firstSegment, shift);
    }
}
