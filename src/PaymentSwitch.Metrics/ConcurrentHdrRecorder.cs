using System.Numerics;
using System.Runtime.CompilerServices;
using PaymentSwitch.Metrics.Internal;

namespace PaymentSwitch.Metrics;

/// <summary>
/// Records values from any number of threads into HDR histograms without ever blocking a writer, and hands a
/// reader consistent interval snapshots (<see cref="GetIntervalHistogram()"/>) without stopping the writers.
/// </summary>
/// <remarks>
/// <para>
/// Writers are spread over <see cref="WriterStripeCount"/> stripes: each thread gets a slot number the first
/// time it records (0, 1, 2, ... in order of arrival), so the first N writer threads use N different stripes;
/// further threads share stripes, which costs contention but never correctness. Each stripe holds two
/// count buffers (active and inactive) and a writer-reader phaser. A record is one short critical section:
/// enter the phaser (interlocked increment), add to the active buffer's slot (interlocked add), leave the
/// phaser (interlocked increment); a new minimum or maximum adds a compare-exchange. Writers take no lock,
/// never wait for a harvest, and never allocate (the first record on a thread assigns its slot number once).
/// </para>
/// <para>
/// A harvest swaps every stripe's buffers, then waits until the writers that were already inside the old
/// buffer have left (a few instructions, longer only if such a writer was preempted there), then adds the old
/// buffer into the snapshot and clears it. Harvests are serialized with each other by a private lock; they
/// never make a writer wait.
/// </para>
/// <para>
/// Consistency guarantee: every recorded value appears in exactly one interval snapshot — none is lost or
/// counted twice — and a <see cref="RecordWithExpectedInterval"/> call lands, with all its back-filled
/// values, in a single snapshot. A record that completed before a harvest started is in that harvest or an
/// earlier one; a record that starts after a harvest returned is in a later one; a record running concurrently
/// with a harvest is in one of the two. Stripes are swapped one after another, so a snapshot is not an
/// instant cut across threads: values recorded during the (microseconds-long) harvest may fall on either side.
/// </para>
/// <para>
/// Memory: 2 * stripes * (BucketCount + 1) * SubBucketCount / 2 longs; for 1 to 3,600,000,000 with 3 digits,
/// 368 KiB per stripe.
/// </para>
/// </remarks>
public sealed class ConcurrentHdrRecorder
{
    /// <summary>Upper bound for <see cref="WriterStripeCount"/>.</summary>
    public const int MaxWriterStripeCount = 64;

    private readonly HistogramLayout _layout;
    private readonly RecorderStripe[] _stripes;
    private readonly int _stripeMask;
    private readonly Lock _harvestLock = new();

    /// <summary>Creates a recorder for values from 1 to <paramref name="highestTrackableValue"/>.</summary>
    /// <param name="highestTrackableValue">Largest value stored without clamping; at least 2.</param>
    /// <param name="significantValueDigits">Relative precision as decimal digits, 1 to 5.</param>
    public ConcurrentHdrRecorder(long highestTrackableValue, int significantValueDigits)
        : this(1, highestTrackableValue, significantValueDigits)
    {
    }

    /// <summary>Creates a recorder.</summary>
    /// <param name="lowestDiscernibleValue">Smallest value told apart from 0, at least 1.</param>
    /// <param name="highestTrackableValue">Largest value stored without clamping; at least twice the lowest.</param>
    /// <param name="significantValueDigits">Relative precision as decimal digits, 1 to 5.</param>
    /// <param name="writerStripeCount">
    /// Number of stripes writers are spread over, 1 to <see cref="MaxWriterStripeCount"/>, rounded up to a power
    /// of two; 0 (the default) picks the processor count. More stripes mean less contention and more memory.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is outside the range given above.</exception>
    public ConcurrentHdrRecorder(
        long lowestDiscernibleValue, long highestTrackableValue, int significantValueDigits, int writerStripeCount = 0)
    {
        if (writerStripeCount < 0 || writerStripeCount > MaxWriterStripeCount)
        {
            HistogramThrowHelper.ThrowArgumentOutOfRange(nameof(writerStripeCount), "must be between 0 (automatic) and 64.");
        }

        _layout = new HistogramLayout(lowestDiscernibleValue, highestTrackableValue, significantValueDigits);
        int requested = writerStripeCount == 0 ? Math.Min(Environment.ProcessorCount, MaxWriterStripeCount) : writerStripeCount;
        int stripeCount = (int)BitOperations.RoundUpToPowerOf2((uint)requested);
        _stripes = new RecorderStripe[stripeCount];
        for (int i = 0; i < stripeCount; i++)
        {
            _stripes[i] = new RecorderStripe(_layout);
        }

        _stripeMask = stripeCount - 1;
    }

    /// <summary>Smallest value that is told apart from 0.</summary>
    public long LowestDiscernibleValue => _layout.LowestDiscernibleValue;

    /// <summary>Largest value stored without clamping.</summary>
    public long HighestTrackableValue => _layout.HighestTrackableValue;

    /// <summary>Relative precision in decimal digits (1 to 5).</summary>
    public int SignificantValueDigits => _layout.SignificantValueDigits;

    /// <summary>Number of stripes writers are spread over (a power of two).</summary>
    public int WriterStripeCount => _stripes.Length;

    /// <summary>
    /// Records one value; lock-free, never waits for a harvest, allocation-free. Out-of-range values are clamped and counted
    /// exactly as <see cref="HdrHistogram.Record"/> does.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Record(long value) => StripeOfCurrentThread().RecordCount(value, 1);

    /// <summary>Records <paramref name="count"/> occurrences of <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public void RecordCount(long value, long count)
    {
        if (count <= 0)
        {
            if (count < 0)
            {
                HistogramThrowHelper.ThrowNegativeCount(nameof(count), count);
            }

            return;
        }

        StripeOfCurrentThread().RecordCount(value, count);
    }

    /// <summary>
    /// Records <paramref name="value"/> with coordinated-omission correction, as
    /// <see cref="HdrHistogram.RecordWithExpectedInterval"/> does; all values of one call land in one interval.
    /// </summary>
    public void RecordWithExpectedInterval(long value, long expectedIntervalBetweenValueSamples) =>
        StripeOfCurrentThread().RecordWithExpectedInterval(value, expectedIntervalBetweenValueSamples, _layout);

    /// <summary>
    /// Returns a new histogram with everything recorded since the previous harvest (or since construction), and
    /// starts a new interval. Allocates the histogram; use <see cref="GetIntervalHistogram(HdrHistogram)"/> to
    /// reuse one.
    /// </summary>
    public HdrHistogram GetIntervalHistogram()
    {
        var interval = new HdrHistogram(_layout);
        AddIntervalTo(interval);
        return interval;
    }

    /// <summary>
    /// Resets <paramref name="recycled"/>, fills it with everything recorded since the previous harvest, starts a
    /// new interval and returns <paramref name="recycled"/>. Allocation-free.
    /// </summary>
    /// <exception cref="ArgumentException">The histogram's layout differs from the recorder's.</exception>
    public HdrHistogram GetIntervalHistogram(HdrHistogram recycled)
    {
        CheckLayout(recycled, nameof(recycled));
        recycled.Reset();
        AddIntervalTo(recycled);
        return recycled;
    }

    /// <summary>
    /// Adds everything recorded since the previous harvest to <paramref name="target"/> (e.g. a cumulative
    /// histogram) and starts a new interval. Allocation-free.
    /// </summary>
    /// <exception cref="ArgumentException">The histogram's layout differs from the recorder's.</exception>
    public void AddIntervalTo(HdrHistogram target)
    {
        CheckLayout(target, nameof(target));
        lock (_harvestLock)
        {
            foreach (RecorderStripe stripe in _stripes)
            {
                stripe.HarvestInto(target);
            }
        }
    }

    /// <summary>Creates an empty histogram with this recorder's layout (to pass to the harvest methods).</summary>
    public HdrHistogram CreateCompatibleHistogram() => new(_layout);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private RecorderStripe StripeOfCurrentThread() => _stripes[WriterSlot.OfCurrentThread & _stripeMask];

    private void CheckLayout(HdrHistogram histogram, string paramName)
    {
        ArgumentNullException.ThrowIfNull(histogram, paramName);
        if (!histogram.Layout.Equals(_layout))
        {
            HistogramThrowHelper.ThrowIncompatibleLayout(paramName);
        }
    }
}
