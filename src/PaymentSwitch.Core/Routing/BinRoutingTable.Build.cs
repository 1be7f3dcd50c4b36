using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using PaymentSwitch.Core.Routing.Internal;

namespace PaymentSwitch.Core.Routing;

public sealed partial class BinRoutingTable
{
    /// <summary>Builds a table, or throws <see cref="BinRoutingValidationException"/> listing every error.</summary>
    public static BinRoutingTable Build(IReadOnlyList<BinRoute> routes, BinRoutingTableBuildOptions? options = null)
    {
        if (!TryBuild(routes, options, out BinRoutingTable? table, out IReadOnlyList<BinRouteError> errors))
        {
            ThrowValidation(errors);
        }

        return table;
    }

    /// <summary>
    /// Validates the routes and builds a table. On failure <paramref name="errors"/> lists what is wrong, each
    /// error naming the route by its 0-based position (at most 100 are listed, then a count).
    /// </summary>
    public static bool TryBuild(
        IReadOnlyList<BinRoute> routes,
        BinRoutingTableBuildOptions? options,
        [NotNullWhen(true)] out BinRoutingTable? table,
        out IReadOnlyList<BinRouteError> errors)
    {
        ArgumentNullException.ThrowIfNull(routes);
        options ??= BinRoutingTableBuildOptions.Default;
        table = null;

        var errorList = new RouteErrorList();
        int count = routes.Count;
        Debug.Assert(MaxRouteCount <= SpecificityKey.MaxEntries && MaxRouteCount - 1 <= IntervalFlattener.MaxRank);
        if (count > MaxRouteCount)
        {
            errorList.Add(-1, $"{count} routes is more than the {MaxRouteCount} one table can hold.");
            errors = errorList.ToList();
            return false;
        }

        if (!TryValidateEach(routes, options.KnownIssuers, errorList, out RouteRecord[] records, out string[] issuers))
        {
            errors = errorList.ToList();
            return false;
        }

        // Rank = position in specificity order (0 = most specific).
        var byRank = new ulong[count];
        for (int i = 0; i < count; i++)
        {
            byRank[i] = SpecificityKey.Of(records[i]);
        }

        Array.Sort(byRank);
        FindEquallySpecificConflicts(byRank, records, issuers, errorList);
        if (errorList.Count > 0)
        {
            errors = errorList.ToList();
            return false;
        }

        var entryOfRank = new int[count];
        var issuerOfRank = new int[count];
        var starts = new ulong[count];
        var ends = new ulong[count];
        for (int rank = 0; rank < count; rank++)
        {
            int entry = SpecificityKey.EntryIndexOf(byRank[rank]);
            ref readonly RouteRecord route = ref records[entry];
            entryOfRank[rank] = entry;
            issuerOfRank[rank] = route.IssuerIndex;
            starts[rank] = IntervalFlattener.Event(route.KeyStart, rank);
            ends[rank] = IntervalFlattener.Event(route.KeyEnd, rank);
        }

        Array.Sort(starts);
        Array.Sort(ends);
        RouteSegment[] segments = IntervalFlattener.Flatten(starts, ends, entryOfRank, issuerOfRank, 0);
        RouteSegment[]?[] segmentsByLength = FlattenEachShortLength(starts, ends, byRank, entryOfRank, issuerOfRank);

        table = new BinRoutingTable(
            records, issuers, segments, segmentsByLength,
            options.Version, options.Source, options.TimeProvider.GetUtcNow());
        errors = [];
        return true;
    }

    private static bool TryValidateEach(
        IReadOnlyList<BinRoute> routes, IReadOnlySet<string>? knownIssuers, RouteErrorList errors,
        out RouteRecord[] records, out string[] issuers)
    {
        records = new RouteRecord[routes.Count];
        var issuerIndexById = new Dictionary<string, int>(StringComparer.Ordinal);
        var issuerList = new List<string>();
        for (int i = 0; i < records.Length; i++)
        {
            BinRoute? route = routes[i];
            if (route is null)
            {
                errors.Add(i, "is null.");
                continue;
            }

            if (!RouteValidator.TryValidate(
                    route.Kind, route.Low, route.High, route.IssuerId, i, errors, out long low, out long high, out int length))
            {
                continue;
            }

            if (knownIssuers is not null && !knownIssuers.Contains(route.IssuerId))
            {
                errors.Add(i, $"Issuer \"{route.IssuerId}\" is not a configured issuer.");
                continue;
            }

            if (!issuerIndexById.TryGetValue(route.IssuerId, out int issuerIndex))
            {
                issuerIndex = issuerList.Count;
                issuerIndexById.Add(route.IssuerId, issuerIndex);
                issuerList.Add(route.IssuerId);
            }

            records[i] = new RouteRecord(low, high, length, route.Kind == BinRouteKind.Prefix, i, issuerIndex);
        }

        issuers = issuerList.ToArray();
        return errors.Count == 0;
    }

    /// <summary>
    /// Routes of equal length and width (one run of <paramref name="byRank"/>) tie if they overlap. Sorted by
    /// Low, two of them overlap exactly when the later one starts at or before the earlier one's High; and if two
    /// routes of the run for different issuers overlap, some adjacent pair between them overlaps and differs in
    /// issuer too, so checking neighbours finds every conflicting configuration.
    /// </summary>
    private static void FindEquallySpecificConflicts(
        ulong[] byRank, RouteRecord[] records, string[] issuers, RouteErrorList errors)
    {
        var byLow = new ulong[byRank.Length];
        int runStart = 0;
        while (runStart < byRank.Length)
        {
            ulong specificity = SpecificityKey.SpecificityOf(byRank[runStart]);
            int runEnd = runStart + 1;
            while (runEnd < byRank.Length && SpecificityKey.SpecificityOf(byRank[runEnd]) == specificity)
            {
                runEnd++;
            }

            if (runEnd - runStart > 1)
            {
                Span<ulong> run = byLow.AsSpan(runStart, runEnd - runStart);
                for (int i = 0; i < run.Length; i++)
                {
                    int entry = SpecificityKey.EntryIndexOf(byRank[runStart + i]);
                    run[i] = ((ulong)records[entry].Low << SpecificityKey.EntryBits) | (uint)entry;
                }

                run.Sort();
                for (int i = 1; i < run.Length; i++)
                {
                    ref readonly RouteRecord earlier = ref records[SpecificityKey.EntryIndexOf(run[i - 1])];
                    ref readonly RouteRecord later = ref records[SpecificityKey.EntryIndexOf(run[i])];
                    if (later.Low <= earlier.High && later.IssuerIndex != earlier.IssuerIndex)
                    {
                        ReportConflict(earlier, later, issuers, errors);
                    }
                }
            }

            runStart = runEnd;
        }
    }

    private static void ReportConflict(in RouteRecord a, in RouteRecord b, string[] issuers, RouteErrorList errors)
    {
        (RouteRecord first, RouteRecord second) = a.EntryIndex < b.EntryIndex ? (a, b) : (b, a);
        string firstText = first.Describe(issuers[first.IssuerIndex]);
        string secondText = second.Describe(issuers[second.IssuerIndex]);
        if (first.Low == second.Low)
        {
            errors.Add(second.EntryIndex,
                $"{secondText} duplicates routes[{first.EntryIndex}] ({firstText}) but names a different issuer; " +
                "remove one of them.");
            return;
        }

        long overlapLow = Math.Max(first.Low, second.Low);
        long overlapHigh = Math.Min(first.High, second.High);
        errors.Add(second.EntryIndex,
            $"{secondText} overlaps routes[{first.EntryIndex}] ({firstText}) on " +
            $"{RouteText.Digits(overlapLow, first.Length)}-{RouteText.Digits(overlapHigh, first.Length)} and is exactly as " +
            "specific (same length, same width), so those card numbers would have two issuers; " +
            "make the ranges disjoint or one of them narrower.");
    }

    /// <summary>
    /// Per-length tables for PANs of fewer than 11 digits. Ranks are grouped by length (longest first), so the
    /// routes of one length are one block of ranks; filtering the sorted events keeps them sorted.
    /// </summary>
    private static RouteSegment[]?[] FlattenEachShortLength(
        ulong[] starts, ulong[] ends, ulong[] byRank, int[] entryOfRank, int[] issuerOfRank)
    {
        // firstRankOfLength[L] .. firstRankOfLength[L - 1] are the ranks of the routes of L digits.
        var firstRankOfLength = new int[MaxRouteDigits + 2];
        var countOfLength = new int[MaxRouteDigits + 1];
        foreach (ulong key in byRank)
        {
            countOfLength[SpecificityKey.LengthOf(key)]++;
        }

        int nextRank = 0;
        for (int length = MaxRouteDigits; length >= 0; length--)
        {
            firstRankOfLength[length] = nextRank;
            nextRank += countOfLength[length];
        }

        var lengthOfRank = new byte[byRank.Length];
        for (int rank = 0; rank < byRank.Length; rank++)
        {
            lengthOfRank[rank] = (byte)SpecificityKey.LengthOf(byRank[rank]);
        }

        var lengthStarts = new ulong[MaxRouteDigits][];
        var lengthEnds = new ulong[MaxRouteDigits][];
        for (int length = 1; length < MaxRouteDigits; length++)
        {
            lengthStarts[length] = new ulong[countOfLength[length]];
            lengthEnds[length] = new ulong[countOfLength[length]];
        }

        Distribute(starts, lengthOfRank, lengthStarts);
        Distribute(ends, lengthOfRank, lengthEnds);

        var byLength = new RouteSegment[]?[MaxRouteDigits];
        for (int length = 1; length < MaxRouteDigits; length++)
        {
            if (countOfLength[length] > 0)
            {
                byLength[length] = IntervalFlattener.Flatten(
                    lengthStarts[length], lengthEnds[length], entryOfRank, issuerOfRank, firstRankOfLength[length]);
            }
        }

        return byLength;
    }

    /// <summary>Splits sorted events by route length (11-digit routes are left out); each part stays sorted.</summary>
    private static void Distribute(ulong[] events, byte[] lengthOfRank, ulong[][] byLength)
    {
        Span<int> filled = stackalloc int[MaxRouteDigits];
        foreach (ulong @event in events)
        {
            int length = lengthOfRank[IntervalFlattener.RankOf(@event)];
            if (length < MaxRouteDigits)
            {
                byLength[length][filled[length]++] = @event;
            }
        }

        for (int length = 1; length < MaxRouteDigits; length++)
        {
            Debug.Assert(filled[length] == byLength[length].Length);
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowValidation(IReadOnlyList<BinRouteError> errors) =>
        throw new BinRoutingValidationException(errors);
}
