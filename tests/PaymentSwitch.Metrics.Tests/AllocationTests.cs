using PaymentSwitch.Metrics;

namespace PaymentSwitch.Metrics.Tests;

/// <summary>
/// The recording paths must not allocate: measured with the runtime's per-thread allocation counter. Each measurement
/// is taken three times and the smallest must be exactly 0. An allocation per operation would show in every one of them
/// (100,000 iterations), while a one-off runtime allocation that lands on this thread during one window does not fail
/// the test. One CI run saw 1,248 bytes in a single window.
/// </summary>
public sealed class AllocationTests
{
    private const int Windows = 3;

    [Fact]
    public void Recording_and_querying_a_histogram_allocates_nothing()
    {
        var histogram = new HdrHistogram(3_600_000_000, 3);
        RunHistogramOperations(histogram, 1_000); // warm up: JIT, static constructors

        long fewest = long.MaxValue;
        for (int window = 0; window < Windows; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            RunHistogramOperations(histogram, 100_000);
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, fewest);
        Assert.Equal(ExpectedHistogramTotal(1_000) + (Windows * ExpectedHistogramTotal(100_000)), histogram.TotalCount);
    }

    [Fact]
    public void Recording_into_the_recorder_and_harvesting_into_a_recycled_histogram_allocates_nothing()
    {
        var recorder = new ConcurrentHdrRecorder(1, 3_600_000_000, 3);
        HdrHistogram recycled = recorder.CreateCompatibleHistogram();
        RunRecorderOperations(recorder, recycled, 1_000);

        long fewest = long.MaxValue;
        for (int window = 0; window < Windows; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            RunRecorderOperations(recorder, recycled, 100_000);
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.Equal(ExpectedRecorderTotal(100_000), recycled.TotalCount); // each harvest holds exactly its window
        }

        Assert.Equal(0, fewest);
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
