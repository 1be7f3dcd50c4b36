namespace PaymentSwitch.Journal.Tests;

public class DurabilityModeTests
{
    [Fact]
    public void None_is_refused_unless_explicitly_allowed()
    {
        using var dir = new TempDirectory();
        var ex = Assert.Throws<ArgumentException>(() => WriteAheadJournal.Open(Journals.Options(dir.Path, o => o.Durability = DurabilityMode.None), null, out _));
        Assert.Contains("AllowUnsafeDurabilityNone", ex.Message);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public async Task None_with_the_explicit_option_writes_without_fsync()
    {
        using var dir = new TempDirectory();
        JournalOptions options = Journals.Options(dir.Path, o =>
        {
            o.Durability = DurabilityMode.None;
            o.AllowUnsafeDurabilityNone = true;
        });
        await using (WriteAheadJournal journal = Journals.Open(options, out _))
        {
            Assert.Equal(DurabilityMode.None, journal.Durability);
            for (int i = 0; i < 50; i++)
            {
                await journal.AppendAsync(1, Journals.Payload(i, 40));
            }

            Assert.Equal(0, journal.GetStats().FsyncCount);
        }

        Assert.Equal(50, Journals.Layout(dir.Path).Count);
    }

    [Fact]
    public async Task Batched_completes_after_write_and_syncs_within_the_window()
    {
        using var dir = new TempDirectory();
        JournalOptions options = Journals.Options(dir.Path, o =>
        {
            o.Durability = DurabilityMode.Batched;
            o.BatchedWindowMs = 20;
        });
        await using WriteAheadJournal journal = Journals.Open(options, out _);
        var tasks = Enumerable.Range(0, 500).Select(i => journal.AppendAsync(1, Journals.Payload(i, 64)).AsTask()).ToArray();
        long[] seqs = await Task.WhenAll(tasks);
        Assert.Equal(Enumerable.Range(1, 500).Select(i => (long)i), seqs.Order());

        // The background sync catches up within the window (waiting here is for correctness, not speed).
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (journal.DurableSequence < 500 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }

        Assert.Equal(500, journal.DurableSequence);
        JournalStats stats = journal.GetStats();
        Assert.True(stats.FsyncCount >= 1);
        Assert.True(stats.FsyncCount < 500);
    }
}
