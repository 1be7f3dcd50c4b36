using BenchmarkDotNet.Attributes;
using PaymentSwitch.Metrics;

namespace PaymentSwitch.Benchmarks;

/// <summary>
/// Cost of recording a latency into the HDR histogram and the concurrent recorder, and of the read side
/// (percentile query, interval harvest). Values are log-uniform from 1 µs to 100 ms in nanoseconds, recorded
/// into a 1 ns .. 1 h, 3-digit layout (the switch's shape).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class HistogramBenchmarks
{
    private const int ValuesPerInvoke = 4096;
    private const long HighestTrackableNs = 3_600_000_000_000;
    private const int TwoThreadRounds = 64;
    private const int TwoThreadRecords = 2 * TwoThreadRounds * ValuesPerInvoke;

    private readonly long[] _values = new long[ValuesPerInvoke];
    private HdrHistogram _histogram = null!;
    private ConcurrentHdrRecorder _recorder = null!;
    private ConcurrentHdrRecorder _singleStripeRecorder = null!;
    private HdrHistogram _filled = null!;
    private HdrHistogram _recycled = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        for (int i = 0; i < _values.Length; i++)
        {
            _values[i] = (long)Math.Exp(Math.Log(1_000) + (random.NextDouble() * (Math.Log(100_000_000) - Math.Log(1_000))));
        }

        _histogram = new HdrHistogram(HighestTrackableNs, 3);
        _recorder = new ConcurrentHdrRecorder(1, HighestTrackableNs, 3, writerStripeCount: 2);
        _singleStripeRecorder = new ConcurrentHdrRecorder(1, HighestTrackableNs, 3, writerStripeCount: 1);
        _recycled = _recorder.CreateCompatibleHistogram();
        _filled = new HdrHistogram(HighestTrackableNs, 3);
        for (int i = 0; i < 1_000_000; i++)
        {
            _filled.Record(_values[i % ValuesPerInvoke] + i);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = ValuesPerInvoke)]
    public void Histogram_Record()
    {
        HdrHistogram histogram = _histogram;
        foreach (long value in _values)
        {
            histogram.Record(value);
        }
    }

    /// <summary>Expected interval 1 ms: about a third of the values (those of 2 ms or more) back-fill missing samples.</summary>
    [Benchmark(OperationsPerInvoke = ValuesPerInvoke)]
    public void Histogram_RecordWithExpectedInterval()
    {
        HdrHistogram histogram = _histogram;
        foreach (long value in _values)
        {
            histogram.RecordWithExpectedInterval(value, 1_000_000);
        }
    }

    [Benchmark(OperationsPerInvoke = ValuesPerInvoke)]
    public void Recorder_Record()
    {
        ConcurrentHdrRecorder recorder = _recorder;
        foreach (long value in _values)
        {
            recorder.Record(value);
        }
    }

    /// <summary>
    /// Two dedicated writer threads at once (the machine's core count), each recording 64 x 4096 values:
    /// a stripe per thread against one stripe shared by both. Includes starting and joining the two threads
    /// (about 0.2 ns per record, and their allocation, which is per invoke, not per record).
    /// </summary>
    [Benchmark(OperationsPerInvoke = TwoThreadRecords)]
    public void Recorder_Record_TwoThreads_StripePerThread() => RecordOnTwoThreads(_recorder);

    [Benchmark(OperationsPerInvoke = TwoThreadRecords)]
    public void Recorder_Record_TwoThreads_SharedStripe() => RecordOnTwoThreads(_singleStripeRecorder);

    [Benchmark]
    public long Histogram_GetValueAtPercentile_99_9() => _filled.GetValueAtPercentile(99.9);

    [Benchmark]
    public double Histogram_Mean() => _filled.Mean;

    /// <summary>Swap, wait for writers, drain and clear every stripe into a recycled histogram.</summary>
    [Benchmark]
    public long Recorder_GetIntervalHistogram_Recycled()
    {
        _recorder.Record(_values[0]);
        return _recorder.GetIntervalHistogram(_recycled).TotalCount;
    }

    private void RecordOnTwoThreads(ConcurrentHdrRecorder recorder)
    {
        long[] values = _values;
        void Write()
        {
            for (int round = 0; round < TwoThreadRounds; round++)
            {
                foreach (long value in values)
                {
                    recorder.Record(value);
                }
            }
        }

        var first = new Thread(Write);
        var second = new Thread(Write);
        first.Start();
        second.Start();
        first.Join();
        second.Join();
    }
}
