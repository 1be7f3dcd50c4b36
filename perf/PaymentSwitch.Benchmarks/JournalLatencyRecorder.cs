using System.Diagnostics;

namespace PaymentSwitch.Benchmarks;

/// <summary>Fixed-size store of latency samples (Stopwatch ticks), written lock-free; percentiles computed at the end.</summary>
internal sealed class JournalLatencyRecorder(int capacity)
{
    private readonly long[] _samples = new long[capacity];
    private int _count;

    public void Reset() => Volatile.Write(ref _count, 0);

    public void Record(long ticks)
    {
        int index = Interlocked.Increment(ref _count) - 1;
        if (index < _samples.Length)
        {
            _samples[index] = ticks;
        }
    }

    public string Summary(string name)
    {
        int n = Math.Min(Volatile.Read(ref _count), _samples.Length);
        if (n == 0)
        {
            return $"journal-latency {name}: no samples";
        }

        long[] sorted = _samples[..n];
        Array.Sort(sorted);
        double us(double q) => sorted[Math.Min(n - 1, (int)(q * n))] * 1_000_000.0 / Stopwatch.Frequency;
        return $"journal-latency {name}: n={n} p50={us(0.50):F0}us p90={us(0.90):F0}us p99={us(0.99):F0}us p99.9={us(0.999):F0}us max={us(1.0):F0}us";
    }
}
