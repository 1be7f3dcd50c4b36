using System.Diagnostics;

namespace PaymentSwitch.Core.Routing.Internal;

/// <summary>
/// Turns overlapping routes into a sorted array of non-overlapping segments, each naming the most specific route
/// that covers it, with one sweep over the route ends: O(n log n) for n routes, at most 2n + 1 segments.
/// </summary>
/// <remarks>
/// Each route is an interval [KeyStart, KeyEnd) of the 11-digit key space. Routes are identified by their
/// rank in specificity order (0 = most specific), so "the most specific route covering this point" is the
/// smallest rank among the open intervals: a min-heap of ranks, with routes that have ended removed lazily
/// when they reach the top. An event packs the key into the high 37 bits and the rank into the low 27 bits, so
/// the start and end lists sort as plain <see cref="ulong"/>s.
/// </remarks>
internal static class IntervalFlattener
{
    public const int RankBits = 64 - PanKey.KeyBits;
    public const int MaxRank = (1 << RankBits) - 1;
    private const ulong RankMask = (1UL << RankBits) - 1;

    public static ulong Event(long key, int rank)
    {
        Debug.Assert(key >= 0 && key <= PanKey.KeySpaceEnd);
        Debug.Assert(rank is >= 0 and <= MaxRank);
        return ((ulong)key << RankBits) | (uint)rank;
    }

    public static long KeyOf(ulong @event) => (long)(@event >> RankBits);

    public static int RankOf(ulong @event) => (int)(@event & RankMask);

    /// <param name="starts">Start events of the routes, sorted.</param>
    /// <param name="ends">End events of the same routes, sorted.</param>
    /// <param name="entryOfRank">Entry index of the route of each rank (the ranks in the events index it).</param>
    /// <param name="issuerOfRank">Issuer index of the route of each rank.</param>
    /// <param name="firstRank">Smallest rank present in the events; all ranks lie in [firstRank, firstRank + starts.Length).</param>
    public static RouteSegment[] Flatten(
        ReadOnlySpan<ulong> starts, ReadOnlySpan<ulong> ends, int[] entryOfRank, int[] issuerOfRank, int firstRank)
    {
        int count = starts.Length;
        Debug.Assert(ends.Length == count);

        var segments = new RouteSegment[(2 * count) + 1];
        segments[0] = RouteSegment.NoRouteFrom(0);
        int segmentCount = 1;
        int previousWinner = -1;

        var heap = new int[count];
        int heapCount = 0;
        var ended = new bool[count];

        int nextStart = 0;
        int nextEnd = 0;
        while (nextStart < count || nextEnd < count)
        {
            long key = nextEnd >= count ? KeyOf(starts[nextStart])
                : nextStart >= count ? KeyOf(ends[nextEnd])
                : Math.Min(KeyOf(starts[nextStart]), KeyOf(ends[nextEnd]));

            while (nextEnd < count && KeyOf(ends[nextEnd]) == key)
            {
                ended[RankOf(ends[nextEnd]) - firstRank] = true;
                nextEnd++;
            }

            while (nextStart < count && KeyOf(starts[nextStart]) == key)
            {
                Push(heap, ref heapCount, RankOf(starts[nextStart]));
                nextStart++;
            }

            while (heapCount > 0 && ended[heap[0] - firstRank])
            {
                Pop(heap, ref heapCount);
            }

            int winner = heapCount > 0 ? heap[0] : -1;
            if (winner == previousWinner)
            {
                continue;
            }

            var segment = winner < 0
                ? RouteSegment.NoRouteFrom(key)
                : new RouteSegment(key, entryOfRank[winner], issuerOfRank[winner]);
            if (segments[segmentCount - 1].Start == key)
            {
                // Only the initial "no route from 0" can share a start with a later segment.
                Debug.Assert(key == 0 && segmentCount == 1);
                segments[segmentCount - 1] = segment;
            }
            else
            {
                segments[segmentCount++] = segment;
            }

            previousWinner = winner;
        }

        Debug.Assert(heapCount == 0 || ended[heap[0] - firstRank]);
        Array.Resize(ref segments, segmentCount);
        return segments;
    }

    private static void Push(int[] heap, ref int count, int rank)
    {
        int i = count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (heap[parent] <= rank)
            {
                break;
            }

            heap[i] = heap[parent];
            i = parent;
        }

        heap[i] = rank;
    }

    private static void Pop(int[] heap, ref int count)
    {
        int last = heap[--count];
        if (count == 0)
        {
            return;
        }

        int i = 0;
        while (true)
        {
            int child = (2 * i) + 1;
            if (child >= count)
            {
                break;
            }

            if (child + 1 < count && heap[child + 1] < heap[child])
            {
                child++;
            }

            if (heap[child] >= last)
            {
                break;
            }

            heap[i] = heap[child];
            i = child;
        }

        heap[i] = last;
    }
}
