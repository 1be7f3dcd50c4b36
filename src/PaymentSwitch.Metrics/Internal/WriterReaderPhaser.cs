using System.Runtime.InteropServices;

namespace PaymentSwitch.Metrics.Internal;

/// <summary>
/// Lets many writers enter and leave critical sections wait-free (one interlocked increment each) while one
/// reader at a time "flips the phase" and then waits until every writer that entered before the flip has left.
/// Writers never block or spin; only the reader waits, and only for writers already inside their
/// (few-instruction) critical section.
/// </summary>
/// <remarks>
/// The start epoch counts entries; its sign says which phase is current (non-negative = even, negative = odd).
/// A writer's exit increments the end epoch of the phase it entered in. A flip resets the start epoch to the
/// other phase's initial value and takes the old value: once the old phase's end epoch reaches it, every
/// writer of the old phase is done. Interlocked operations are full fences, so a reader that swapped a
/// reference before flipping knows that no writer still uses the old reference once the flip returns.
/// The three epochs sit in the middle of a 192-byte block so that neighbouring stripes do not share cache lines.
/// The flip is not thread-safe: callers serialize flips (the recorder does so with its harvest lock).
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = 192)]
internal struct WriterReaderPhaser
{
    [FieldOffset(64)]
    private long _startEpoch;

    [FieldOffset(72)]
    private long _evenEndEpoch;

    [FieldOffset(80)]
    private long _oddEndEpoch;

    public static WriterReaderPhaser Create()
    {
        WriterReaderPhaser phaser = default;
        phaser._oddEndEpoch = long.MinValue;
        return phaser;
    }

    /// <summary>Enters a writer critical section; pass the returned ticket to <see cref="WriterExit"/>.</summary>
    public long WriterEnter() => Interlocked.Increment(ref _startEpoch) - 1;

    /// <summary>Leaves the writer critical section entered with <paramref name="ticket"/>.</summary>
    public void WriterExit(long ticket)
    {
        if (ticket < 0)
        {
            Interlocked.Increment(ref _oddEndEpoch);
        }
        else
        {
            Interlocked.Increment(ref _evenEndEpoch);
        }
    }

    /// <summary>Starts a new phase and waits until all writers of the previous phase have exited.</summary>
    public void FlipPhase()
    {
        bool nextPhaseIsEven = Volatile.Read(ref _startEpoch) < 0;
        long initialStartValue = nextPhaseIsEven ? 0 : long.MinValue;

        // The new phase's end epoch was drained by the flip before last; reset it before any writer can enter.
        if (nextPhaseIsEven)
        {
            Volatile.Write(ref _evenEndEpoch, initialStartValue);
        }
        else
        {
            Volatile.Write(ref _oddEndEpoch, initialStartValue);
        }

        long startValueAtFlip = Interlocked.Exchange(ref _startEpoch, initialStartValue);

        SpinWait spin = default;
        while ((nextPhaseIsEven ? Volatile.Read(ref _oddEndEpoch) : Volatile.Read(ref _evenEndEpoch)) != startValueAtFlip)
        {
            // A writer is inside its critical section (or was preempted there): yield rather than burn the core.
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }
}
