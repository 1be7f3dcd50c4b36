namespace PaymentSwitch.Journal.Tests;

public class TornTailTests
{
    private static async Task<JournalOptions> WriteRecords(string directory, int count)
    {
        JournalOptions options = Journals.Options(directory);
        await using WriteAheadJournal journal = Journals.Open(options, out _);
        for (int i = 1; i <= count; i++)
        {
            await journal.AppendAsync(2, Journals.Payload(i, 200));
        }

        return options;
    }

    /// <summary>Reopens, checks the cut, appends more, reopens again and expects a clean journal.</summary>
    private static async Task AssertCutThenHealthy(JournalOptions options, int survivingRecords, long expectedCutBytes)
    {
        var handler = new RecordingHandler();
        await using (WriteAheadJournal journal = Journals.Open(options, out RecoveryReport report, handler))
        {
            JournalDamage cut = Assert.Single(report.Damages);
            Assert.Equal(JournalDamageResolution.TailCut, cut.Resolution);
            Assert.Equal(expectedCutBytes, report.TornTailBytesCut);
            Assert.Equal(survivingRecords, handler.Records.Count);
            Assert.Equal(Enumerable.Range(1, survivingRecords).Select(i => (long)i), handler.Records.Select(r => r.Sequence));
            Assert.Equal(survivingRecords + 1, await journal.AppendAsync(5, Journals.Payload(1000, 50)));
            Assert.Equal(survivingRecords + 2, await journal.AppendAsync(5, Journals.Payload(1001, 50)));
        }

        var after = new RecordingHandler();
        await using (Journals.Open(options, out RecoveryReport clean, after))
        {
            Assert.True(clean.IsClean, clean.ToString());
            Assert.Equal(survivingRecords + 2, after.Records.Count);
            Assert.Equal(1001, Journals.Tag(after.Records[^1].Payload));
        }
    }

    [Fact]
    public async Task Truncated_last_record_is_cut_and_reported()
    {
        using var dir = new TempDirectory();
        JournalOptions options = await WriteRecords(dir.Path, 20);
        ReplayedRecord last = Journals.Layout(dir.Path)[^1];
        string segment = Path.Combine(dir.Path, last.SegmentFile);
        int recordSize = 28 + last.Payload.Length;
        // A write torn after 100 bytes of the last record: the rest never reached the file (still zero).
        Journals.Overwrite(segment, last.OffsetBytes + 100, new byte[recordSize - 100]);
        await AssertCutThenHealthy(options, 19, 100);
    }

    [Fact]
    public async Task Zeroed_payload_of_last_record_is_cut_and_reported()
    {
        using var dir = new TempDirectory();
        JournalOptions options = await WriteRecords(dir.Path, 20);
        ReplayedRecord last = Journals.Layout(dir.Path)[^1];
        string segment = Path.Combine(dir.Path, last.SegmentFile);
        // Header made it to disk, payload page did not: everything after the header is zero.
        Journals.Overwrite(segment, last.OffsetBytes + 28, new byte[last.Payload.Length]);
        // The cut counts up to the last non-zero byte: the record type at header offset 24 (reserved bytes are zero).
        await AssertCutThenHealthy(options, 19, 25);
    }

    [Fact]
    public async Task Garbage_after_the_last_record_is_cut_without_losing_records()
    {
        using var dir = new TempDirectory();
        JournalOptions options = await WriteRecords(dir.Path, 20);
        ReplayedRecord last = Journals.Layout(dir.Path)[^1];
        string segment = Path.Combine(dir.Path, last.SegmentFile);
        var garbage = new byte[333];
        new Random(3).NextBytes(garbage);
        garbage[0] = 0x5A; // make sure the first byte is not zero
        Journals.Overwrite(segment, last.OffsetBytes + 28 + last.Payload.Length, garbage);
        long lastNonZero = Array.FindLastIndex(garbage, b => b != 0) + 1;
        await AssertCutThenHealthy(options, 20, lastNonZero);
    }

    [Fact]
    public async Task Garbage_replacing_the_last_record_is_cut()
    {
        using var dir = new TempDirectory();
        JournalOptions options = await WriteRecords(dir.Path, 20);
        ReplayedRecord last = Journals.Layout(dir.Path)[^1];
        string segment = Path.Combine(dir.Path, last.SegmentFile);
        var garbage = new byte[28 + last.Payload.Length];
        new Random(4).NextBytes(garbage);
        garbage[^1] = 0xEE;
        Journals.Overwrite(segment, last.OffsetBytes, garbage);
        await AssertCutThenHealthy(options, 19, garbage.Length);
    }

    [Fact]
    public async Task Segment_file_physically_truncated_inside_the_last_record_is_cut()
    {
        using var dir = new TempDirectory();
        JournalOptions options = await WriteRecords(dir.Path, 20);
        ReplayedRecord last = Journals.Layout(dir.Path)[^1];
        string segment = Path.Combine(dir.Path, last.SegmentFile);
        using (var f = new FileStream(segment, FileMode.Open, FileAccess.ReadWrite))
        {
            f.SetLength(last.OffsetBytes + 60);
        }

        await AssertCutThenHealthy(options, 19, 60);
    }

    [Fact]
    public async Task Empty_last_segment_left_by_an_interrupted_roll_is_removed_and_reported()
    {
        using var dir = new TempDirectory();
        JournalOptions options = await WriteRecords(dir.Path, 5);
        // A crash after creating/preallocating the next segment but before its header was written.
        string empty = Path.Combine(dir.Path, "00000000000000000006.wal");
        using (var f = new FileStream(empty, FileMode.CreateNew))
        {
            f.SetLength(4096);
        }

        var handler = new RecordingHandler();
        await using (WriteAheadJournal journal = Journals.Open(options, out RecoveryReport report, handler))
        {
            JournalDamage d = Assert.Single(report.Damages);
            Assert.Equal(JournalDamageKind.IncompleteSegment, d.Kind);
            Assert.Equal(JournalDamageResolution.IncompleteSegmentRemoved, d.Resolution);
            Assert.Equal(5, handler.Records.Count);
            Assert.Equal(6, report.NextSequence);
            Assert.Equal(6, await journal.AppendAsync(1, new byte[10]));
        }

        // The name was reused by a properly created segment (header, preallocated size).
        Assert.Equal(options.SegmentSizeBytes, new FileInfo(empty).Length);
        Assert.Equal(6, JournalScanner.ScanSegmentFile(empty, null).FirstSequence);
        await using (Journals.Open(options, out RecoveryReport clean))
        {
            Assert.True(clean.IsClean, clean.ToString());
            Assert.Equal(7, clean.NextSequence);
        }
    }
}
