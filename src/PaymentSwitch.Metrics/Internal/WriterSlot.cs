using System.Runtime.CompilerServices;

namespace PaymentSwitch.Metrics.Internal;

/// <summary>
/// A small number given to each thread the first time it records into any recorder, in order of arrival
/// (0, 1, 2, ...). Recorders pick a stripe from it, so the first N writer threads land on N different stripes,
/// whatever their managed thread ids are.
/// </summary>
internal static class WriterSlot
{
    [ThreadStatic]
    private static int t_slotPlusOne;

    private static int s_assignedSlots;

    /// <summary>This thread's slot; assigned once per thread, then a thread-static read.</summary>
    public static int OfCurrentThread
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            int slotPlusOne = t_slotPlusOne;
            return slotPlusOne != 0 ? slotPlusOne - 1 : Assign();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Assign()
    {
        // Wraps after 2^30 threads, which only changes which stripe later threads share; slot + 1 is never 0.
        int slot = (Interlocked.Increment(ref s_assignedSlots) - 1) & 0x3FFF_FFFF;
        t_slotPlusOne = slot + 1;
        return slot;
    }
}
