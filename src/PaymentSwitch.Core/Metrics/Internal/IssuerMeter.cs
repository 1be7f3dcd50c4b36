using System.Diagnostics;
using System.Runtime.CompilerServices;
using PaymentSwitch.Core.Issuers;
using PaymentSwitch.Metrics;

namespace PaymentSwitch.Core.Metrics.Internal;

/// <summary>
/// The live figures of one issuer (or of the answers the switch gives itself): answers by response code, latency into
/// an HDR recorder, and the fixed Prometheus buckets with their sum. Written on the hot path with interlocked
/// operations only; read by the sampler and by scrapes without a lock.
/// </summary>
internal sealed class IssuerMeter
{
    /// <summary>Response codes are two base-36 characters: 36 * 36 counters.</summary>
    public const int ResponseCodeSlots = 36 * 36;

    private readonly long[] _answersByCode = new long[ResponseCodeSlots];
    private readonly long[] _bucketCounts; // not cumulative; the last one is "above every bound"
    private readonly long[] _bucketBoundTicks;
    private long _sumTicks;

    public IssuerMeter(string issuerId, IssuerLink? link, long[] bucketBoundTicks, ConcurrentHdrRecorder recorder)
    {
        IssuerId = issuerId;
        Link = link;
        _bucketBoundTicks = bucketBoundTicks;
        _bucketCounts = new long[bucketBoundTicks.Length + 1];
        Recorder = recorder;
        Latency = new LatencyWindow(recorder);
    }

    public string IssuerId { get; }

    /// <summary>Null for the answers the switch gives itself.</summary>
    public IssuerLink? Link { get; }

    /// <summary>Latency in microseconds; lock-free writers.</summary>
    public ConcurrentHdrRecorder Recorder { get; }

    /// <summary>Sampler-owned histograms of this meter (only the sampler thread touches them).</summary>
    public LatencyWindow Latency { get; }

    /// <summary>Counts one answer. Lock-free and allocation-free.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Record(int codeIndex, long elapsedTicks, long elapsedMicroseconds)
    {
        if ((uint)codeIndex < (uint)_answersByCode.Length) Interlocked.Increment(ref _answersByCode[codeIndex]);
        Recorder.Record(elapsedMicroseconds);
        long[] bounds = _bucketBoundTicks;
        int bucket = 0;
        while (bucket < bounds.Length && elapsedTicks > bounds[bucket]) bucket++;
        Interlocked.Increment(ref _bucketCounts[bucket]);
        Interlocked.Add(ref _sumTicks, elapsedTicks);
    }

    public long AnswersWithCode(int codeIndex) => Volatile.Read(ref _answersByCode[codeIndex]);

    /// <summary>Cumulative bucket counts (one per bound, then +Inf) and the sum in seconds, read without a lock.</summary>
    public LatencyHistogram ReadHistogram()
    {
        var cumulative = new long[_bucketCounts.Length];
        long running = 0;
        for (int i = 0; i < _bucketCounts.Length; i++)
        {
            running += Volatile.Read(ref _bucketCounts[i]);
            cumulative[i] = running;
        }
        return new LatencyHistogram(IssuerId, cumulative, (double)Volatile.Read(ref _sumTicks) / Stopwatch.Frequency);
    }
}
