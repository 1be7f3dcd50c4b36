using PaymentSwitch.Metrics;

namespace PaymentSwitch.Metrics.Tests;

/// <summary>The recording paths must not allocate: measured with the runtime's per-thread allocation counter.</summary>
public sealed class AllocationTests
{
    [Fact]
    public void Recording_and_querying_a_histogram_allocates_nothing()
    {
        var histogram = new HdrHistogram(3_600_000_000, 3);
        RunHistogramOperations(histogram, 1_000); // warm up: JIT, static constructors

        long before = GC.GetAllocatedBytesForCurrentThread();
        RunHistogramOperations(histogram, 100_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(ExpectedHistogramTotal(1_000) + ExpectedHistogramTotal(100_000), histogram.TotalCount);
    }

    [Fact]
    public void Recording_into_the_recorder_and_harvesting_into_a_recycled_histogram_allocates_nothing()
    {
        var recorder = new ConcurrentHdrRecorder(1, 3_600_000_000, 3);
        HdrHistogram recycled = recorder.CreateCompatibleHistogram();
        RunRecorderOperations(recorder, recycled, 1_000);

        long before = GC.GetAllocatedBytesForCurrentThread();
        RunRecorderOperations(recorder, recycled, 100_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(ExpectedRecorderTotal(100_000), recycled.TotalCount);
    }

    // A corrected record of v with interval I stores v and v - I, v - 2I, ... >= I: floor(v / I) values when v > I.
    private static long CorrectedCount(long value, long interval) => value > interval ? value / interval : 1;

    private static long ExpectedHistogramTotal(int iterations)
    {
        long total = 0;
        for (int i = 0; i < iterations; i++)
        {
            total += 1 + 1 + CorrectedCount(100_000 + i, 10_000) + 10;
        }

        return total;
    }

    private static long ExpectedRecorderTotal(int iterations)
    {
        long total = 0;
        for (int i = 0; i < iterations; i++)
        {
            total += 1 + CorrectedCount(5_000 + i, 10_000);
        }

        return total;
    }

    private static void RunHistogramOperations(HdrHistogram histogram, int iterations)
    {
        for (int i = 0; i < iterations; i++)
        {
            histogram.Record(i * 1_013L);
            histogram.Record(-i); // i > 0: underflow path
            histogram.RecordWithExpectedInterval(100_000 + i, 10_000);
            histogram.RecordCount(4_000_000_000, 10); // overflow path
        }

        _ = histogram.GetValueAtPercentile(99.9);
    }

    private static void RunRecorderOperations(ConcurrentHdrRecorder recorder, HdrHistogram recycled, int iterations)
    {
        for (int i = 0; i < iterations; i++)
        {
            recorder.Record(i * 1_013L);
            recorder.RecordWithExpectedInterval(5_000 + i, 10_000);
        }

        recorder.GetIntervalHistogram(recycled);
    }
}
