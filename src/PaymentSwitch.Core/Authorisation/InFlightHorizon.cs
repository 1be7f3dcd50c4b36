namespace PaymentSwitch.Core.Authorisation;

/// <summary>
/// A journal sequence below which no transaction still in flight has its Forwarded record: the journal's next
/// sequence as it was at least <c>lagTicks</c> ago. A request in flight now was appended less than that long ago (its
/// Forwarded write, then at most its issuer's timeout), so its record is at or after the value returned; once it times
/// out, its owed reversal keeps its record (<see cref="Reversals.ReversalQueue.OldestOwedSequence"/>). Retention
/// uses the lower of the two, so a segment holding an in-flight request's record is never retired under it.
/// Sampled by one thread (the engine's timer), about once a second; bounded by the samples within the lag.
/// </summary>
internal sealed class InFlightHorizon(long lagTicks)
{
    private readonly Queue<(long Timestamp, long NextSequence)> _samples = new();

    /// <summary>Records the journal's next sequence at <paramref name="now"/>; returns the horizon (0 until a sample is old enough).</summary>
    public long Observe(long now, long nextSequence)
    {
        _samples.Enqueue((now, nextSequence));
        // Keep the newest sample that is at least lagTicks old, and everything after it.
        while (_samples.Count >= 2 && IsOldEnough(SecondOldest(), now)) _samples.Dequeue();
        (long timestamp, long sequence) = _samples.Peek();
        return now - timestamp >= lagTicks ? sequence : 0;
    }

    private bool IsOldEnough((long Timestamp, long NextSequence) sample, long now) => now - sample.Timestamp >= lagTicks;

    private (long Timestamp, long NextSequence) SecondOldest()
    {
        using Queue<(long, long)>.Enumerator e = _samples.GetEnumerator();
        e.MoveNext();
        e.MoveNext();
        return e.Current;
    }
}
