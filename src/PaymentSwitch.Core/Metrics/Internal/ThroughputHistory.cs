namespace PaymentSwitch.Core.Metrics.Internal;

/// <summary>
/// A ring of per-second figures (answers, and the p99 latency of that second), oldest overwritten: fixed memory of
/// <see cref="Capacity"/> entries. Owned by the sampler thread; <see cref="CopyAnswers"/> and <see cref="CopyP99Ms"/>
/// make the immutable arrays a snapshot publishes.
/// </summary>
internal sealed class ThroughputHistory(int capacity)
{
    private readonly long[] _answers = new long[capacity];
    private readonly double[] _p99Ms = new double[capacity];
    private int _next;
    private int _count;

    public int Capacity => _answers.Length;

    public void Add(long answers, double p99Ms)
    {
        _answers[_next] = answers;
        _p99Ms[_next] = p99Ms;
        _next = (_next + 1) % _answers.Length;
        if (_count < _answers.Length) _count++;
    }

    /// <summary>Sum of the last <paramref name="seconds"/> entries (fewer when the history is shorter).</summary>
    public long SumOfLast(int seconds)
    {
        long sum = 0;
        int n = Math.Min(seconds, _count);
        for (int i = 1; i <= n; i++) sum += _answers[(_next - i + _answers.Length) % _answers.Length];
        return sum;
    }

    /// <summary>Entries oldest first.</summary>
    public long[] CopyAnswers() => CopyOrdered(_answers);

    /// <summary>Entries oldest first.</summary>
    public double[] CopyP99Ms() => CopyOrdered(_p99Ms);

    private T[] CopyOrdered<T>(T[] ring)
    {
        var copy = new T[_count];
        int start = (_next - _count + ring.Length) % ring.Length;
        for (int i = 0; i < _count; i++) copy[i] = ring[(start + i) % ring.Length];
        return copy;
    }
}
