using System.Runtime.CompilerServices;

namespace PaymentSwitch.Metrics.Internal;

/// <summary>
/// One stripe of a <see cref="ConcurrentHdrRecorder"/>: a double buffer of <see cref="StripeCounts"/> and the
/// phaser that tells the harvester when the buffer it swapped out is no longer written.
/// </summary>
internal sealed class RecorderStripe
{
    private WriterReaderPhaser _phaser = WriterReaderPhaser.Create();
    private StripeCounts _active;
    private StripeCounts _inactive;

    public RecorderStripe(in HistogramLayout layout)
    {
        _active = new StripeCounts(layout);
        _inactive = new StripeCounts(layout);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void RecordCount(long value, long count)
    {
        long ticket = _phaser.WriterEnter();
        try
        {
            Volatile.Read(ref _active).RecordCount(value, count);
        }
        finally
        {
            _phaser.WriterExit(ticket);
        }
    }

    public void RecordWithExpectedInterval(long value, long expectedIntervalBetweenValueSamples, in HistogramLayout layout)
    {
        long ticket = _phaser.WriterEnter();
        try
        {
            // The value and all its back-filled values land in the same interval.
            StripeCounts active = Volatile.Read(ref _active);
            active.RecordCount(value, 1);
            var recorder = new GroupRecorder(active);
            CoordinatedOmissionBackfill.RecordMissingValues(ref recorder, layout, value, expectedIntervalBetweenValueSamples);
        }
        finally
        {
            _phaser.WriterExit(ticket);
        }
    }

    /// <summary>
    /// Swaps the buffers, waits for writers still using the old one, and drains it into
    /// <paramref name="target"/>. Callers serialize harvests.
    /// </summary>
    public void HarvestInto(HdrHistogram target)
    {
        StripeCounts retired = _active;
        Volatile.Write(ref _active, _inactive);
        _inactive = retired;
        _phaser.FlipPhase();
        retired.DrainInto(target);
    }

    private readonly struct GroupRecorder(StripeCounts counts) : IEquivalentGroupRecorder
    {
        public void RecordGroup(long lowestValue, long highestValue, long count) =>
            counts.RecordGroup(lowestValue, highestValue, count);
    }
}
