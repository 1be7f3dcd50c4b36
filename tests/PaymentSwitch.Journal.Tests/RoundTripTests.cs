namespace PaymentSwitch.Journal.Tests;

public class RoundTripTests
{
    [Fact]
    public async Task Appended_records_replay_identically_in_order_and_sequence_continues_after_reopen()
    {
        using var dir = new TempDirectory();
        JournalOptions options = Journals.Options(dir.Path);
        var appended = new List<(long Seq, byte Type, byte[] Payload)>();
        var random = new Random(1);

        await using (WriteAheadJournal journal = Journals.Open(options, out RecoveryReport first))
        {
            Assert.True(first.IsClean);
            Assert.Equal(1, first.NextSequence);
            for (int i = 0; i < 300; i++)
            {
                byte type = (byte)(i % 7);
                byte[] payload = Journals.Payload(i, random.Next(8, 2000));
                long seq = await journal.AppendAsync(type, payload);
                appended.Add((seq, type, payload));
            }

            Assert.Equal(Enumerable.Range(1, 300).Select(i => (long)i), appended.Select(a => a.Seq));
            Assert.Equal(300, journal.DurableSequence);
        }

        var handler = new RecordingHandler();
        long before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await using (WriteAheadJournal journal = Journals.Open(options, out RecoveryReport report, handler))
        {
            Assert.True(report.IsClean, report.ToString());
            Assert.Equal(300, report.RecordsDelivered);
            Assert.Equal(1, report.FirstSequence);
            Assert.Equal(300, report.LastSequence);
            Assert.Equal(301, report.NextSequence);
            Assert.Equal(300, handler.Records.Count);
            for (int i = 0; i < 300; i++)
            {
                Assert.Equal(appended[i].Seq, handler.Records[i].Sequence);
                Assert.Equal(appended[i].Type, handler.Records[i].RecordType);
                Assert.Equal(appended[i].Payload, handler.Records[i].Payload);
                Assert.InRange(handler.Records[i].TimestampUnixMs, before - 600_000, before + 1000);
            }

            Assert.Equal(301, await journal.AppendAsync(9, Journals.Payload(301, 10)));
            Assert.Equal(302, await journal.AppendAsync(9, ReadOnlyMemory<byte>.Empty));
        }

        var again = new RecordingHandler();
        await using (Journals.Open(options, out RecoveryReport third, again))
        {
            Assert.True(third.IsClean);
            Assert.Equal(302, again.Records.Count);
            Assert.Empty(again.Records[^1].Payload);
        }
    }

    [Fact]
    public async Task Segments_roll_at_the_configured_size_with_ordered_names_and_replay_across_them()
    {
        using var dir = new TempDirectory();
        JournalOptions options = Journals.Options(dir.Path, o =>
        {
            o.SegmentSizeBytes = 8192;
            o.MaxRecordPayloadBytes = 1000;
            o.MaxPendingBytes = 16 * 1024;
        });

        await using (WriteAheadJournal journal = Journals.Open(options, out _))
        {
            // Concurrent appends so batches get split across segment boundaries too.
            var tasks = new List<Task<long>>();
            for (int i = 0; i < 400; i++)
            {
                tasks.Add(journal.AppendAsync((byte)1, Journals.Payload(i, 100 + (i % 5 * 150))).AsTask());
            }

            long[] seqs = await Task.WhenAll(tasks);
            Assert.Equal(Enumerable.Range(1, 400).Select(i => (long)i), seqs.Order());
            Assert.True(journal.GetStats().SegmentCount > 10);
        }

        string[] files = Journals.SegmentFiles(dir.Path);
        Assert.True(files.Length > 10, $"expected many segments, got {files.Length}");
        Assert.Equal("00000000000000000001.wal", Path.GetFileName(files[0]));
        foreach (string f in files)
        {
            Assert.Equal(8192, new FileInfo(f).Length); // preallocated to the segment size
        }

        var handler = new RecordingHandler();
        await using (Journals.Open(options, out RecoveryReport report, handler))
        {
            Assert.True(report.IsClean, report.ToString());
            Assert.Equal(files.Length, report.Segments.Count);
            Assert.Equal(Enumerable.Range(1, 400).Select(i => (long)i), handler.Records.Select(r => r.Sequence));
            long expectedFirst = 1;
            foreach (JournalSegmentInfo segment in report.Segments)
            {
                Assert.Equal(expectedFirst, segment.FirstSequence);
                Assert.Equal($"{segment.FirstSequence:D20}.wal", segment.FileName);
                expectedFirst = segment.LastSequence + 1;
            }

            // Every record's payload is the one appended with that sequence's tag order: tags are unique.
            Assert.Equal(400, handler.Records.Select(r => Journals.Tag(r.Payload)).Distinct().Count());
        }
    }

    [Fact]
    public async Task TryAppend_copies_the_span_and_completes_when_durable()
    {
        using var dir = new TempDirectory();
        await using WriteAheadJournal journal = Journals.Open(Journals.Options(dir.Path), out _);
        Span<byte> payload = stackalloc byte[16];
        payload.Fill(0xAB);
        Assert.True(journal.TryAppend(3, payload, out ValueTask<long> durable));
        payload.Clear(); // the journal already holds its own copy
        Assert.Equal(1, await durable);
        List<ReplayedRecord> layout = Journals.Layout(dir.Path);
        Assert.Equal(Enumerable.Repeat((byte)0xAB, 16), layout.Single().Payload);
    }

    [Fact]
    public async Task Refuses_oversized_payload_clearly_and_keeps_working()
    {
        using var dir = new TempDirectory();
        await using WriteAheadJournal journal = Journals.Open(Journals.Options(dir.Path, o => o.MaxRecordPayloadBytes = 1024), out _);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => journal.AppendAsync(1, new byte[1025]));
        Assert.Contains("MaxRecordPayloadBytes", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => journal.TryAppend(1, new byte[1025], out _));
        Assert.Equal(1, await journal.AppendAsync(1, new byte[1024]));
    }

    [Fact]
    public async Task A_second_writer_on_the_same_directory_is_refused()
    {
        using var dir = new TempDirectory();
        JournalOptions options = Journals.Options(dir.Path);
        await using (WriteAheadJournal journal = Journals.Open(options, out _))
        {
            var ex = Assert.Throws<IOException>(() => Journals.Open(options, out _));
            Assert.Contains("already open by another writer", ex.Message);
            Assert.Equal(1, await journal.AppendAsync(1, new byte[8]));
        }

        // Released on dispose.
        await using WriteAheadJournal reopened = Journals.Open(options, out RecoveryReport report);
        Assert.Equal(2, report.NextSequence);
    }

    [Fact]
    public async Task Appends_after_dispose_are_refused_and_dispose_flushes_waiting_appends()
    {
        using var dir = new TempDirectory();
        WriteAheadJournal journal = Journals.Open(Journals.Options(dir.Path, o => o.Durability = DurabilityMode.Batched), out _);
        var pending = new List<Task<long>>();
        for (int i = 0; i < 100; i++)
        {
            pending.Add(journal.AppendAsync(1, Journals.Payload(i, 64)).AsTask());
        }

        await journal.DisposeAsync();
        await Task.WhenAll(pending);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await journal.AppendAsync(1, new byte[8]));
        Assert.Throws<ObjectDisposedException>(() => journal.TryAppend(1, new byte[8], out _));
        Assert.Equal(100, Journals.Layout(dir.Path).Count);
    }

    [Fact]
    public void Invalid_options_are_refused_with_clear_messages()
    {
        using var dir = new TempDirectory();
        Assert.Contains("Directory is required", Assert.Throws<ArgumentException>(() => WriteAheadJournal.Open(new JournalOptions(), null, out _)).Message);
        Assert.Contains("MaxPendingBytes", Assert.Throws<ArgumentException>(() =>
            WriteAheadJournal.Open(Journals.Options(dir.Path, o => o.MaxPendingBytes = 100), null, out _)).Message);
        Assert.Contains("SegmentSizeBytes", Assert.Throws<ArgumentException>(() =>
            WriteAheadJournal.Open(Journals.Options(dir.Path, o => o.SegmentSizeBytes = 1000), null, out _)).Message);
        Assert.Contains("BatchedWindowMs", Assert.Throws<ArgumentException>(() =>
            WriteAheadJournal.Open(Journals.Options(dir.Path, o => o.BatchedWindowMs = 0), null, out _)).Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public async Task Read_only_scanner_works_beside_a_live_writer_and_matches_what_was_appended()
    {
        using var dir = new TempDirectory();
        await using WriteAheadJournal journal = Journals.Open(Journals.Options(dir.Path), out _);
        for (int i = 1; i <= 40; i++)
        {
            await journal.AppendAsync((byte)(i % 3), Journals.Payload(i, 50 + i));
        }

        RecoveryReport verify = JournalScanner.Verify(dir.Path);
        Assert.True(verify.IsClean, verify.ToString());
        Assert.False(verify.ProducedByOpen);
        Assert.Null(verify.OpenRefusal);
        Assert.Equal(40, verify.LastSequence);
        Assert.Equal(41, verify.NextSequence);

        var dump = new RecordingHandler();
        RecoveryReport scan = JournalScanner.Scan(dir.Path, dump);
        Assert.Equal(40, scan.RecordsDelivered);
        Assert.Equal(Enumerable.Range(1, 40).Select(i => Journals.Payload(i, 50 + i)), dump.Records.Select(r => r.Payload));
        Assert.Equal(41, await journal.AppendAsync(1, new byte[3])); // the scan did not disturb the writer
    }
}
