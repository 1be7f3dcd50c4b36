namespace PaymentSwitch.Journal.Tests;

public class GroupCommitTests
{
    [Fact]
    public async Task Many_concurrent_appenders_share_fsyncs_and_every_record_is_on_disk_after_reopen()
    {
        using var dir = new TempDirectory();
        JournalOptions options = Journals.Options(dir.Path);
        const int appenders = 64;
        const int perAppender = 200;
        const int total = appenders * perAppender;
        var acknowledged = new long[total];
        JournalStats stats;

        await using (WriteAheadJournal journal = Journals.Open(options, out _))
        {
            var workers = new Task[appenders];
            for (int a = 0; a < appenders; a++)
            {
                int appender = a;
                workers[a] = Task.Run(async () =>
                {
                    for (int i = 0; i < perAppender; i++)
                    {
                        int tag = (appender * perAppender) + i;
                        acknowledged[tag] = await journal.AppendAsync((byte)appender, Journals.Payload(tag, 120));
                    }
                });
            }

            await Task.WhenAll(workers);
            stats = journal.GetStats();
        }

        Assert.Equal(total, stats.RecordsAppended);
        Assert.True(stats.FsyncCount < total / 4, $"{stats.FsyncCount} fsyncs for {total} records: group commit is not batching");
        Assert.True(stats.RecordsPerFsyncMean > 4, $"records per fsync {stats.RecordsPerFsyncMean}");
        Assert.True(stats.FsyncLatencyMaxMicroseconds >= stats.FsyncLatencyMeanMicroseconds && stats.FsyncLatencyMeanMicroseconds > 0);

        var handler = new RecordingHandler();
        await using (Journals.Open(options, out RecoveryReport report, handler))
        {
            Assert.True(report.IsClean, report.ToString());
        }

        Assert.Equal(Enumerable.Range(1, total).Select(i => (long)i), handler.Records.Select(r => r.Sequence));
        foreach (ReplayedRecord r in handler.Records)
        {
            long tag = Journals.Tag(r.Payload);
            Assert.Equal(acknowledged[tag], r.Sequence); // the sequence each appender was told is the one holding its payload
            Assert.Equal(Journals.Payload(tag, 120), r.Payload);
            Assert.Equal((byte)(tag / perAppender), r.RecordType);
        }
    }

    [Fact]
    public async Task With_inline_completion_off_continuations_never_run_on_the_writer_thread_and_every_pooled_completion_is_reused_cleanly()
    {
        using var dir = new TempDirectory();
        await using WriteAheadJournal journal = Journals.Open(Journals.Options(dir.Path, o => o.InlineCompletionMax = 0), out _);
        var threads = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        // Rounds of 100 concurrent appends (more than one completion run of 32 per batch), awaited, then appended again
        // from inside the continuation: completions that ran inline come back from the pool and must behave as new.
        for (int round = 0; round < 20; round++)
        {
            var appends = new Task<long>[100];
            for (int i = 0; i < appends.Length; i++)
            {
                int tag = (round * 100) + i;
                appends[i] = Task.Run(async () =>
                {
                    long first = await journal.AppendAsync(1, Journals.Payload(tag, 40));
                    threads.AddOrUpdate(Thread.CurrentThread.Name ?? "(thread pool)", 1, (_, n) => n + 1);
                    long second = await journal.AppendAsync(2, Journals.Payload(tag, 40));
                    Assert.True(second > first);
                    return second;
                });
            }
            long[] sequences = await Task.WhenAll(appends);
            Assert.Equal(sequences.Length, sequences.Distinct().Count());
        }
        Assert.False(threads.ContainsKey("journal-writer"), string.Join(", ", threads.Keys));
        Assert.Equal(2000, threads.Values.Sum());
        Assert.Equal(4000, journal.GetStats().RecordsAppended);
    }

    [Fact]
    public async Task Small_batches_complete_on_the_writer_thread_and_large_ones_on_the_pool_each_run_inside_the_owners_scope()
    {
        using var dir = new TempDirectory();
        var scope = new RecordingScope();
        await using WriteAheadJournal journal = Journals.Open(Journals.Options(dir.Path, o =>
        {
            o.InlineCompletionMax = 4;
            o.CompletionRunScope = scope;
        }), out _);

        // One append at a time: every batch holds one record, so every run is on the writer.
        for (int i = 0; i < 50; i++) await journal.AppendAsync(1, Journals.Payload(i, 40));
        Assert.Equal(50, scope.RunsOnWriter);
        Assert.Equal(0, scope.RunsOnPool);

        // Many at once: batches above the limit (at least sometimes) are completed by runs on the pool.
        for (int round = 0; round < 20 && scope.RunsOnPool == 0; round++)
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task[] appends = Enumerable.Range(0, 64).Select(i => Task.Run(async () =>
            {
                await gate.Task;
                await journal.AppendAsync(2, Journals.Payload(i, 40));
            })).ToArray();
            gate.SetResult();
            await Task.WhenAll(appends);
        }
        Assert.True(scope.RunsOnPool > 0, "no batch above the inline limit was completed on the thread pool");
        // The last run exits after its continuations (which let this test go on): wait for it, with a hang guard.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (scope.Exited < scope.RunsOnWriter + scope.RunsOnPool && DateTime.UtcNow < deadline) await Task.Delay(5);
        Assert.Equal(scope.RunsOnWriter + scope.RunsOnPool, scope.Exited);
        Assert.Equal(0, scope.UnbalancedExits);
    }

    [Fact]
    public async Task A_batch_of_exactly_the_inline_limit_at_its_largest_completes_in_one_run_on_the_writer_thread()
    {
        using var dir = new TempDirectory();
        var scope = new RecordingScope();
        using var writerHeld = new ManualResetEventSlim(false);
        int syncs = 0;
        await using WriteAheadJournal journal = Journals.Open(Journals.Options(dir.Path, o =>
        {
            o.InlineCompletionMax = 32; // CompletionRun.Capacity: the largest allowed
            o.CompletionRunScope = scope;
            // Told on the writer thread after each durable write: the first one holds the writer until the next
            // batch (exactly 32 appends) is buffered.
            o.SyncObserver = _ =>
            {
                if (Interlocked.Increment(ref syncs) == 1) writerHeld.Wait(TimeSpan.FromSeconds(30));
            };
        }), out _);

        Task<long> first = journal.AppendAsync(1, Journals.Payload(0, 40)).AsTask();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Volatile.Read(ref syncs) == 0 && DateTime.UtcNow < deadline) await Task.Delay(1);
        Assert.Equal(1, Volatile.Read(ref syncs));
        Task<long>[] batch = Enumerable.Range(1, 32).Select(i => journal.AppendAsync(2, Journals.Payload(i, 40)).AsTask()).ToArray();
        Assert.Equal(32, journal.GetStats().PendingRecords);
        writerHeld.Set();
        await first;
        await Task.WhenAll(batch);

        while (scope.Exited < 2 && DateTime.UtcNow < deadline) await Task.Delay(5);
        Assert.Equal(2, journal.GetStats().FsyncCount); // the first record, then the 32 in one write
        Assert.Equal(2, scope.RunsOnWriter); // with the run dispatched when it filled up, this was 1 (and 1 on the pool)
        Assert.Equal(0, scope.RunsOnPool);
        Assert.Equal(0, scope.UnbalancedExits);
    }

    /// <summary>Counts runs by the thread they start on (the writer or the pool) and checks Enter/Exit pair up per thread.</summary>
    private sealed class RecordingScope : ICompletionRunScope
    {
        [ThreadStatic] private static int t_depth;
        private int _onWriter;
        private int _onPool;
        private int _exited;
        private int _unbalanced;

        public int RunsOnWriter => Volatile.Read(ref _onWriter);

        public int RunsOnPool => Volatile.Read(ref _onPool);

        public int Exited => Volatile.Read(ref _exited);

        public int UnbalancedExits => Volatile.Read(ref _unbalanced);

        public void Enter()
        {
            t_depth++;
            Interlocked.Increment(ref Thread.CurrentThread.Name == "journal-writer" ? ref _onWriter : ref _onPool);
        }

        public void Exit()
        {
            if (--t_depth != 0) Interlocked.Increment(ref _unbalanced);
            Interlocked.Increment(ref _exited);
        }
    }

    [Fact]
    public async Task Strict_appends_are_durable_when_they_complete()
    {
        using var dir = new TempDirectory();
        await using WriteAheadJournal journal = Journals.Open(Journals.Options(dir.Path), out _);
        for (int i = 1; i <= 20; i++)
        {
            long seq = await journal.AppendAsync(1, Journals.Payload(i, 30));
            Assert.True(journal.DurableSequence >= seq, "completed before fdatasync covered it");
        }

        JournalStats stats = journal.GetStats();
        Assert.Equal(20, stats.FsyncCount); // one at a time: one fsync each
        Assert.Equal(1.0, stats.RecordsPerFsyncMean);
    }
}
