using System.Diagnostics;

namespace PaymentSwitch.Journal.Tests;

/// <summary><see cref="JournalOptions.SyncObserver"/>: told the duration of every fdatasync, and unable to hurt the journal.</summary>
public class SyncObserverTests
{
    [Fact]
    public async Task Every_fdatasync_is_reported_once_with_the_duration_the_stats_count()
    {
        using var dir = new TempDirectory();
        var observed = new List<long>();
        int writerThread = -1;
        JournalOptions options = Journals.Options(dir.Path, o => o.SyncObserver = ticks =>
        {
            lock (observed) observed.Add(ticks);
            writerThread = Environment.CurrentManagedThreadId;
        });

        JournalStats stats;
        await using (WriteAheadJournal journal = Journals.Open(options, out _))
        {
            for (int i = 1; i <= 20; i++)
            {
                await journal.AppendAsync(1, Journals.Payload(i, 30));
            }

            stats = journal.GetStats();
        }

        Assert.Equal(20, stats.FsyncCount);
        long[] durations;
        lock (observed) durations = [.. observed];
        Assert.True(durations.Length >= 20, $"{durations.Length} observed"); // closing may sync once more
        Assert.All(durations, d => Assert.True(d > 0));
        double observedMeanUs = durations.Take(20).Average() * 1_000_000.0 / Stopwatch.Frequency;
        Assert.Equal(stats.FsyncLatencyMeanMicroseconds, observedMeanUs, 3); // the very durations the stats summed
        Assert.NotEqual(Environment.CurrentManagedThreadId, writerThread);
    }

    [Fact]
    public async Task An_observer_that_throws_changes_nothing_for_the_appends()
    {
        using var dir = new TempDirectory();
        int calls = 0;
        JournalOptions options = Journals.Options(dir.Path, o => o.SyncObserver = _ =>
        {
            Interlocked.Increment(ref calls);
            throw new InvalidOperationException("observer bug");
        });

        await using (WriteAheadJournal journal = Journals.Open(options, out _))
        {
            for (int i = 1; i <= 10; i++)
            {
                long sequence = await journal.AppendAsync(1, Journals.Payload(i, 30));
                Assert.True(journal.DurableSequence >= sequence);
            }

            Assert.Null(journal.GetStats().HealthProblem);
        }

        Assert.True(calls >= 10);
        Assert.Equal(10, Journals.Layout(dir.Path).Count);
    }

    [Fact]
    public async Task Without_fdatasync_it_is_never_called()
    {
        using var dir = new TempDirectory();
        int calls = 0;
        JournalOptions options = Journals.Options(dir.Path, o =>
        {
            o.Durability = DurabilityMode.None;
            o.AllowUnsafeDurabilityNone = true;
            o.SyncObserver = _ => Interlocked.Increment(ref calls);
        });

        await using (WriteAheadJournal journal = Journals.Open(options, out _))
        {
            for (int i = 0; i < 10; i++)
            {
                await journal.AppendAsync(1, Journals.Payload(i, 40));
            }
        }

        Assert.Equal(0, calls);
    }
}
