using PaymentSwitch.Metrics;

namespace PaymentSwitch.Metrics.Tests;

public sealed class ConcurrentHdrRecorderTests
{
    private const long Highest = 3_600_000_000;

    [Fact]
    public void Each_interval_holds_exactly_what_was_recorded_since_the_previous_one()
    {
        var recorder = new ConcurrentHdrRecorder(1, Highest, 3);
        recorder.Record(100);
        recorder.Record(200);

        HdrHistogram first = recorder.GetIntervalHistogram();
        recorder.Record(300);
        HdrHistogram second = recorder.GetIntervalHistogram();
        HdrHistogram third = recorder.GetIntervalHistogram();

        Assert.Equal(2, first.TotalCount);
        Assert.Equal(100, first.Min);
        Assert.Equal(200, first.Max);
        Assert.Equal(1, second.TotalCount);
        Assert.Equal(300, second.Min);
        Assert.Equal(300, second.Max);
        Assert.Equal(0, third.TotalCount);
    }

    [Fact]
    public void Recycled_interval_histogram_is_reset_before_it_is_filled()
    {
        var recorder = new ConcurrentHdrRecorder(1, Highest, 3);
        HdrHistogram recycled = recorder.CreateCompatibleHistogram();
        recycled.Record(999);

        recorder.Record(5);
        Assert.Same(recycled, recorder.GetIntervalHistogram(recycled));

        Assert.Equal(1, recycled.TotalCount);
        Assert.Equal(5, recycled.Max);
    }

    [Fact]
    public void AddIntervalTo_accumulates_into_a_cumulative_histogram()
    {
        var recorder = new ConcurrentHdrRecorder(1, Highest, 3);
        HdrHistogram cumulative = recorder.CreateCompatibleHistogram();
        recorder.Record(10);
        recorder.AddIntervalTo(cumulative);
        recorder.Record(20);
        recorder.AddIntervalTo(cumulative);

        Assert.Equal(2, cumulative.TotalCount);
        Assert.Equal(10, cumulative.Min);
        Assert.Equal(20, cumulative.Max);
    }

    [Fact]
    public void Histogram_of_another_layout_is_refused()
    {
        var recorder = new ConcurrentHdrRecorder(1, Highest, 3);

        Assert.Throws<ArgumentException>(() => recorder.GetIntervalHistogram(new HdrHistogram(Highest, 2)));
        Assert.Throws<ArgumentException>(() => recorder.AddIntervalTo(new HdrHistogram(1_000_000, 3)));
        Assert.Throws<ArgumentNullException>(() => recorder.AddIntervalTo(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConcurrentHdrRecorder(1, Highest, 3, writerStripeCount: 65));
        Assert.Throws<ArgumentOutOfRangeException>(() => recorder.RecordCount(5, -1));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void Writer_stripe_count_is_a_power_of_two(int requested)
    {
        var recorder = new ConcurrentHdrRecorder(1, Highest, 3, requested);
        int count = recorder.WriterStripeCount;

        Assert.True(count >= Math.Max(requested, 1));
        Assert.Equal(0, count & (count - 1));
    }

    [Fact]
    public void Out_of_range_values_are_clamped_and_counted_like_the_histogram_does()
    {
        var recorder = new ConcurrentHdrRecorder(1, 1_000_000, 3);
        recorder.Record(2_000_000);
        recorder.Record(-4);
        recorder.RecordCount(7, 3);
        recorder.RecordWithExpectedInterval(100_000, 10_000);

        HdrHistogram interval = recorder.GetIntervalHistogram();

        var expected = new HdrHistogram(1, 1_000_000, 3);
        expected.Record(2_000_000);
        expected.Record(-4);
        expected.RecordCount(7, 3);
        expected.RecordWithExpectedInterval(100_000, 10_000);
        HistogramAssert.SameContents(expected, interval);
        Assert.Equal(1, interval.OverflowCount);
        Assert.Equal(1, interval.UnderflowCount);
    }

    [Theory]
    [InlineData(1)] // every writer shares one stripe: the interlocked slot increments carry the test
    [InlineData(4)]
    public void Concurrent_writers_and_harvests_lose_nothing_and_count_nothing_twice(int stripes)
    {
        const int writerCount = 4;
        const int recordsPerWriter = 300_000;
        var recorder = new ConcurrentHdrRecorder(1, Highest, 3, stripes);
        var harvested = recorder.CreateCompatibleHistogram();
        var interval = recorder.CreateCompatibleHistogram();
        long snapshotTotal = 0;
        int nonEmptySnapshots = 0;
        int writersRunning = writerCount;

        var writers = new Thread[writerCount];
        for (int w = 0; w < writerCount; w++)
        {
            int writer = w;
            writers[w] = new Thread(() =>
            {
                for (int i = 0; i < recordsPerWriter; i++)
                {
                    recorder.Record(ValueOf(writer, i));
                }

                Interlocked.Decrement(ref writersRunning);
            });
        }

        var harvester = new Thread(() =>
        {
            while (Volatile.Read(ref writersRunning) > 0)
            {
                recorder.GetIntervalHistogram(interval);
                snapshotTotal += interval.TotalCount;
                nonEmptySnapshots += interval.TotalCount > 0 ? 1 : 0;
                harvested.Add(interval);
            }
        });

        foreach (Thread thread in writers)
        {
            thread.Start();
        }

        harvester.Start();
        foreach (Thread thread in writers)
        {
            thread.Join();
        }

        harvester.Join();
        recorder.GetIntervalHistogram(interval);
        snapshotTotal += interval.TotalCount;
        harvested.Add(interval);

        var expected = new HdrHistogram(Highest, 3);
        for (int w = 0; w < writerCount; w++)
        {
            for (int i = 0; i < recordsPerWriter; i++)
            {
                expected.Record(ValueOf(w, i));
            }
        }

        Assert.Equal((long)writerCount * recordsPerWriter, snapshotTotal);
        HistogramAssert.SameContents(expected, harvested);
        Assert.True(nonEmptySnapshots >= 1);
    }

    [Fact]
    public void A_corrected_record_lands_with_all_its_back_filled_values_in_one_interval()
    {
        const int writerCount = 3;
        const int callsPerWriter = 50_000;
        var recorder = new ConcurrentHdrRecorder(1, Highest, 3, 1);
        var interval = recorder.CreateCompatibleHistogram();
        long total = 0;
        int writersRunning = writerCount;
        var badTotals = new List<long>();

        var writers = Enumerable.Range(0, writerCount).Select(_ => new Thread(() =>
        {
            for (int i = 0; i < callsPerWriter; i++)
            {
                recorder.RecordWithExpectedInterval(100_000, 10_000); // 10 values per call
            }

            Interlocked.Decrement(ref writersRunning);
        })).ToArray();

        foreach (Thread thread in writers)
        {
            thread.Start();
        }

        while (Volatile.Read(ref writersRunning) > 0)
        {
            recorder.GetIntervalHistogram(interval);
            if (interval.TotalCount % 10 != 0)
            {
                badTotals.Add(interval.TotalCount);
            }

            total += interval.TotalCount;
        }

        foreach (Thread thread in writers)
        {
            thread.Join();
        }

        total += recorder.GetIntervalHistogram(interval).TotalCount;

        Assert.Empty(badTotals);
        Assert.Equal(10L * writerCount * callsPerWriter, total);
    }

    private static long ValueOf(int writer, int i) => 1 + ((((long)i * 7_919) + (writer * 104_729L)) % 50_000_000);
}
