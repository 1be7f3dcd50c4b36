namespace PaymentSwitch.Journal.Tests;

public class BackpressureTests
{
    [Fact]
    public async Task Tiny_pending_buffer_makes_appenders_wait_and_all_complete_with_bounded_buffering()
    {
        using var dir = new TempDirectory();
        JournalOptions options = Journals.Options(dir.Path, o =>
        {
            o.MaxRecordPayloadBytes = 256;
            o.MaxPendingBytes = 1024; // room for about four 200-byte records
        });
        const int appenders = 200;
        const int perAppender = 25;
        int maxPendingBytes = 0;
        long waited;

        await using (WriteAheadJournal journal = Journals.Open(options, out _))
        {
            using var stop = new CancellationTokenSource();
            Task sampler = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    JournalStats s = journal.GetStats();
                    maxPendingBytes = Math.Max(maxPendingBytes, s.PendingBytes);
                    await Task.Yield();
                }
            });

            var workers = Enumerable.Range(0, appenders).Select(a => Task.Run(async () =>
            {
                var mine = new List<long>();
                for (int i = 0; i < perAppender; i++)
                {
                    mine.Add(await journal.AppendAsync(1, Journals.Payload((a * perAppender) + i, 200)));
                }

                return mine;
            })).ToArray();

            List<long>[] results = await Task.WhenAll(workers);
            stop.Cancel();
            await sampler;

            Assert.Equal(Enumerable.Range(1, appenders * perAppender).Select(i => (long)i), results.SelectMany(r => r).Order());
            foreach (List<long> mine in results)
            {
                Assert.Equal(mine.Order(), mine); // each appender's records are in its own order
            }

            Assert.Equal(0, journal.GetStats().WaitingAppenders);
            waited = journal.GetStats().AppendsWaited;
        }

        Assert.InRange(maxPendingBytes, 0, 1024);
        // Counted, not sampled: a sampler can miss the moments appenders wait.
        Assert.True(waited > 0, "200 appenders against a 1 KiB buffer never had to wait: backpressure not engaged");
        Assert.Equal(appenders * perAppender, Journals.Layout(dir.Path).Count);
    }

    [Fact]
    public async Task TryAppend_returns_false_when_the_buffer_is_full_and_accepted_records_complete()
    {
        using var dir = new TempDirectory();
        JournalOptions options = Journals.Options(dir.Path, o =>
        {
            o.MaxRecordPayloadBytes = 256;
            o.MaxPendingBytes = 1024;
        });
        await using WriteAheadJournal journal = Journals.Open(options, out _);
        var accepted = new List<ValueTask<long>>();
        byte[] payload = new byte[200];
        bool refused = false;
        for (int i = 0; i < 1_000_000 && !refused; i++)
        {
            if (journal.TryAppend(1, payload, out ValueTask<long> durable))
            {
                accepted.Add(durable);
            }
            else
            {
                refused = true;
            }
        }

        Assert.True(refused, "a 1 KiB buffer never filled while appending synchronously");
        var sequences = new List<long>();
        foreach (ValueTask<long> t in accepted)
        {
            sequences.Add(await t);
        }

        Assert.Equal(Enumerable.Range(1, accepted.Count).Select(i => (long)i), sequences);
    }
}
