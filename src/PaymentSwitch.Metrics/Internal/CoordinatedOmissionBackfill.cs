using System.Diagnostics;

namespace PaymentSwitch.Metrics.Internal;

/// <summary>Receives groups of back-filled values that all fall into one counts slot.</summary>
internal interface IEquivalentGroupRecorder
{
    /// <summary>
    /// Records <paramref name="count"/> values between <paramref name="lowestValue"/> and
    /// <paramref name="highestValue"/>; both are equivalent (same slot), or both lie above the highest
    /// trackable value.
    /// </summary>
    void RecordGroup(long lowestValue, long highestValue, long count);
}

/// <summary>
/// Coordinated-omission correction: when a value of V was measured by a loop that expected one sample every
/// I, the samples that the stall kept from being taken would have measured V - I, V - 2I, ... down to I.
/// </summary>
/// <remarks>
/// The missing values form an arithmetic progression, so instead of one recording per missing value this walks
/// the progression slot by slot and records, per slot, how many terms land in it. The cost is bounded by the
/// number of slots the progression crosses (at most the counts length), not by V / I: a 3.6e9 value with an
/// expected interval of 1 costs a few thousand steps, not 3.6e9.
/// </remarks>
internal static class CoordinatedOmissionBackfill
{
    /// <summary>Records the missing values for <paramref name="value"/> (the value itself is not recorded).</summary>
    public static void RecordMissingValues<TRecorder>(
        ref TRecorder recorder, in HistogramLayout layout, long value, long expectedIntervalBetweenValueSamples)
        where TRecorder : struct, IEquivalentGroupRecorder
    {
        long interval = expectedIntervalBetweenValueSamples;
        if (interval <= 0 || value <= interval)
        {
            return;
        }

        long next = value - interval; // the highest missing value
        long highestTrackableValue = layout.HighestTrackableValue;
        if (next > highestTrackableValue)
        {
            // Every term above the trackable range ends up in the same (clamped) slot: record them as one group.
            long termsAboveRange = ((next - highestTrackableValue - 1) / interval) + 1;
            long termsAtLeastInterval = ((next - interval) / interval) + 1;
            long count = Math.Min(termsAboveRange, termsAtLeastInterval);
            recorder.RecordGroup(next - ((count - 1) * interval), next, count);
            next -= count * interval;
        }

        while (next >= interval)
        {
            long lowestInSlot = Math.Max(layout.LowestEquivalentValue(next), interval);
            long count = ((next - lowestInSlot) / interval) + 1;
            Debug.Assert(count >= 1, "every step records at least the current term");
            recorder.RecordGroup(next - ((count - 1) * interval), next, count);
            next -= count * interval;
        }
    }
}
