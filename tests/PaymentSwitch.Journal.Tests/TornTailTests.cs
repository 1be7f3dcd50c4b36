namespace PaymentSwitch.Journal.Tests;

public class TornTailTests
{
    private static async Task<JournalOptions> WriteRecords(string directory, int count, Action<JournalOptions>? configure = null, int payloadBytes = 200)
    {
        JournalOptions options = Journals.Options(directory, configure);
        await using WriteAheadJournal journal = Journals.Open(options, out _);
        for (int i = 1; i <= count; i++)
        {
            await journal.AppendAsync(2, Journals.Payload(i, payloadBytes));
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

    /// <summary>
    /// Zeroes the sectors from record <paramref name="sequence"/>'s start to one whole sector past the next sector boundary:
    /// what a power cut leaves when it persisted the later sectors of the last write but not these. Returns the hole's end.
    /// </summary>
    /// <summary>Where <see cref="PunchUnwrittenSectors"/> ends its hole: the end of the first whole sector after the record's start.</summary>
    private static long HoleEnd(ReplayedRecord record) => ((record.OffsetBytes / 512) + 2) * 512;

    private static long PunchUnwrittenSectors(string segment, ReplayedRecord record)
    {
        long holeEnd = HoleEnd(record);
        Journals.Overwrite(segment, record.OffsetBytes, new byte[holeEnd - record.OffsetBytes]);
        return holeEnd;
    }

    private static long NonZeroEnd(string path) => File.ReadAllBytes(path).AsSpan().LastIndexOfAnyExcept((byte)0) + 1;

    [Fact]
    public async Task Last_write_persisted_out_of_order_is_cut_with_the_records_after_its_hole()
    {
        using var dir = new TempDirectory();
        JournalOptions options = await WriteRecords(dir.Path, 40);
        List<ReplayedRecord> layout = Journals.Layout(dir.Path);
        ReplayedRecord victim = layout[29]; // sequence 30
        string segment = Path.Combine(dir.Path, victim.SegmentFile);
        long holeEnd = PunchUnwrittenSectors(segment, victim);
        ReplayedRecord firstAfter = layout.First(r => r.OffsetBytes >= holeEnd);
        Assert.True(firstAfter.Sequence < 40, "valid records must follow the hole for this test to mean anything");

        RecoveryReport verify = JournalScanner.Verify(dir.Path);
        Assert.Null(verify.OpenRefusal);
        JournalDamage cut = Assert.Single(verify.Damages);
        Assert.Equal(JournalDamageResolution.TailCut, cut.Resolution);
        Assert.Equal(victim.OffsetBytes, cut.OffsetBytes);
        Assert.Contains("torn last write", cut.Description);
        Assert.Contains($"sequences {firstAfter.Sequence}..40", cut.Description);

        // Reopen cuts everything from the hole on (the records after it were zeroed: new appends follow sequence 29 and
        // the journal reopens clean, with no stale record behind them). The cut bytes are kept in quarantine/ first.
        byte[] cutBytes = File.ReadAllBytes(segment).AsSpan((int)victim.OffsetBytes, (int)(NonZeroEnd(segment) - victim.OffsetBytes)).ToArray();
        await AssertCutThenHealthy(options, 29, cutBytes.Length);
        string kept = Path.Combine(dir.Path, "quarantine", $"{victim.SegmentFile}.cut-{victim.OffsetBytes}");
        Assert.Equal(cutBytes, File.ReadAllBytes(kept));
    }

    [Fact]
    public async Task Scanning_for_kept_records_leaves_out_those_past_a_torn_last_write_and_counts_them()
    {
        using var dir = new TempDirectory();
        await WriteRecords(dir.Path, 40);
        List<ReplayedRecord> layout = Journals.Layout(dir.Path);
        long holeEnd = PunchUnwrittenSectors(Path.Combine(dir.Path, layout[29].SegmentFile), layout[29]);
        long firstAfter = layout.First(r => r.OffsetBytes >= holeEnd).Sequence;

        var everything = new RecordingHandler();
        JournalScanner.Scan(dir.Path, everything);
        Assert.Equal(29 + (41 - firstAfter), everything.Records.Count); // the plain scan hands over what it can read

        var kept = new RecordingHandler();
        RecoveryReport report = JournalScanner.ScanKept(dir.Path, kept);
        Assert.Equal(Enumerable.Range(1, 29).Select(i => (long)i), kept.Records.Select(r => r.Sequence));
        Assert.Equal(41 - firstAfter, report.RecordsPastTornWrite);
        Assert.Equal(JournalDamageResolution.TailCut, Assert.Single(report.Damages).Resolution);
    }

    [Fact]
    public async Task Scanning_for_kept_records_cuts_only_in_the_last_segment()
    {
        using var dir = new TempDirectory();
        JournalOptions options = await WriteRecords(dir.Path, 400, o => o.SegmentSizeBytes = 16 * 1024);

        List<ReplayedRecord> layout = Journals.Layout(dir.Path);
        string lastSegment = layout[^1].SegmentFile;
        ReplayedRecord victim = layout.First(r => r.SegmentFile == lastSegment && r.OffsetBytes > 512); // earlier segments hold records further in
        Assert.Contains(layout, r => r.SegmentFile != lastSegment && r.OffsetBytes >= victim.OffsetBytes);
        long holeEnd = PunchUnwrittenSectors(Path.Combine(dir.Path, lastSegment), victim);
        int pastHole = layout.Count(r => r.SegmentFile == lastSegment && r.OffsetBytes >= holeEnd);
        Assert.True(pastHole >= 3);

        var kept = new RecordingHandler();
        RecoveryReport report = JournalScanner.ScanKept(dir.Path, kept);
        Assert.Equal(Enumerable.Range(1, (int)victim.Sequence - 1).Select(i => (long)i), kept.Records.Select(r => r.Sequence));
        Assert.Equal(pastHole, report.RecordsPastTornWrite);
        Assert.Equal(JournalDamageResolution.TailCut, Assert.Single(report.Damages).Resolution);

        // What the scan kept is what Open keeps.
        var replayed = new RecordingHandler();
        await using (Journals.Open(options, out _, replayed))
        {
            Assert.Equal(kept.Records.Select(r => r.Sequence), replayed.Records.Select(r => r.Sequence));
        }
    }

    [Fact]
    public async Task Scanning_for_kept_records_decides_and_hands_over_from_one_read_while_the_journal_changes()
    {
        // A journal being written while the scan runs: here the torn write's missing sectors arrive (are restored)
        // once the scan has started. Whatever the scan then sees, what it hands over must agree with what it reports:
        // never a clean report with records left out, never a cut with records past it counted.
        using var dir = new TempDirectory();
        await WriteRecords(dir.Path, 40);
        List<ReplayedRecord> layout = Journals.Layout(dir.Path);
        string segment = Path.Combine(dir.Path, layout[29].SegmentFile);
        long holeEnd = HoleEnd(layout[29]);
        byte[] original = File.ReadAllBytes(segment).AsSpan((int)layout[29].OffsetBytes, (int)(holeEnd - layout[29].OffsetBytes)).ToArray();
        PunchUnwrittenSectors(segment, layout[29]);

        var restoring = new RestoringHandler(segment, layout[29].OffsetBytes, original);
        RecoveryReport report = JournalScanner.ScanKept(dir.Path, restoring);
        Assert.True(restoring.Restored);
        if (report.Damages.Count == 0)
        {
            Assert.Equal(40, restoring.Records.Count);
            Assert.Equal(0, report.RecordsPastTornWrite);
        }
        else
        {
            Assert.Equal(JournalDamageResolution.TailCut, Assert.Single(report.Damages).Resolution);
            Assert.Equal(29, restoring.Records.Count);
            Assert.True(report.RecordsPastTornWrite > 0);
        }
    }

    /// <summary>Writes <c>bytes</c> back at <c>offset</c> when it gets its first record, then records like <see cref="RecordingHandler"/>.</summary>
    private sealed class RestoringHandler(string path, long offset, byte[] bytes) : IJournalReplayHandler
    {
        public List<long> Records { get; } = [];

        public bool Restored { get; private set; }

        public void OnRecord(in JournalRecord record)
        {
            if (!Restored)
            {
                Journals.Overwrite(path, offset, bytes);
                Restored = true;
            }

            Records.Add(record.Sequence);
        }
    }

    [Fact]
    public async Task Scanning_for_kept_records_of_a_journal_open_refuses_hands_over_everything_readable()
    {
        using var dir = new TempDirectory();
        JournalOptions options = await WriteRecords(dir.Path, 40);
        List<ReplayedRecord> layout = Journals.Layout(dir.Path);
        string segment = Path.Combine(dir.Path, layout[9].SegmentFile);
        byte[] bytes = File.ReadAllBytes(segment);
        bytes[layout[9].OffsetBytes + 30] ^= 0x04; // a flipped bit in record 10's payload: not a torn write
        File.WriteAllBytes(segment, bytes);

        var kept = new RecordingHandler();
        RecoveryReport report = JournalScanner.ScanKept(dir.Path, kept);
        Assert.NotNull(report.OpenRefusal);
        Assert.Equal(39, kept.Records.Count);
        Assert.Equal(0, report.RecordsPastTornWrite);
        Assert.Throws<JournalCorruptException>(() => Journals.Open(options, out _));
    }

    [Fact]
    public async Task Torn_last_write_with_a_hole_and_a_short_last_record_is_cut()
    {
        using var dir = new TempDirectory();
        JournalOptions options = await WriteRecords(dir.Path, 40);
        List<ReplayedRecord> layout = Journals.Layout(dir.Path);
        string segment = Path.Combine(dir.Path, layout[0].SegmentFile);
        PunchUnwrittenSectors(segment, layout[29]);
        ReplayedRecord last = layout[^1];
        Journals.Overwrite(segment, last.OffsetBytes + 100, new byte[28 + last.Payload.Length - 100]); // its end never written either
        await AssertCutThenHealthy(options, 29, NonZeroEnd(segment) - layout[29].OffsetBytes);
    }

    [Fact]
    public async Task Outside_strict_a_hole_before_valid_records_refuses()
    {
        using var dir = new TempDirectory();
        JournalOptions options = await WriteRecords(dir.Path, 40);
        List<ReplayedRecord> layout = Journals.Layout(dir.Path);
        PunchUnwrittenSectors(Path.Combine(dir.Path, layout[0].SegmentFile), layout[29]);

        // Batched reports appends before they are durable: a hole there proves nothing about what was acknowledged.
        options.Durability = DurabilityMode.Batched;
        RecoveryReport predicted = JournalScanner.Verify(dir.Path, durability: DurabilityMode.Batched);
        Assert.NotNull(predicted.OpenRefusal);
        Assert.Equal(JournalDamageResolution.RefusesOpen, predicted.Damages[0].Resolution);
        var ex = Assert.Throws<JournalCorruptException>(() => WriteAheadJournal.Open(options, null, out _));
        Assert.Equal(layout[29].OffsetBytes, ex.OffsetBytes);

        // The scanner judges by the mode it is told: as a strict journal the same bytes are a torn last write.
        RecoveryReport asStrict = JournalScanner.Verify(dir.Path);
        Assert.Null(asStrict.OpenRefusal);
        Assert.Equal(JournalDamageResolution.TailCut, Assert.Single(asStrict.Damages).Resolution);
    }

    [Fact]
    public async Task Hole_of_unwritten_sectors_followed_by_an_older_record_refuses()
    {
        using var dir = new TempDirectory();
        JournalOptions options = await WriteRecords(dir.Path, 40);
        List<ReplayedRecord> layout = Journals.Layout(dir.Path);
        string segment = Path.Combine(dir.Path, layout[0].SegmentFile);
        byte[] bytes = File.ReadAllBytes(segment);
        // Records 30..39 never written, and where record 40 was, a copy of record 10: a valid checksum, a sequence from
        // the past. No write of the journal puts an older record after a newer one, so this is not a torn write.
        ReplayedRecord last = layout[^1];
        Journals.Overwrite(segment, layout[29].OffsetBytes, new byte[last.OffsetBytes - layout[29].OffsetBytes]);
        Journals.Overwrite(segment, last.OffsetBytes, bytes.AsSpan((int)layout[9].OffsetBytes, 28 + layout[9].Payload.Length));

        var ex = Assert.Throws<JournalCorruptException>(() => WriteAheadJournal.Open(options, null, out _));
        Assert.Equal(layout[29].OffsetBytes, ex.OffsetBytes);
        Assert.Equal(JournalDamageResolution.RefusesOpen, ex.Damage.Resolution);
    }

    [Fact]
    public async Task Hole_of_unwritten_sectors_further_back_than_one_write_refuses()
    {
        using var dir = new TempDirectory();
        // Each append is its own write of at most MaxPendingBytes (here 64 KiB): the hole lies more than one write of
        // this journal before the end, so those records after it were acknowledged, and nothing may be cut.
        JournalOptions options = await WriteRecords(dir.Path, 400, o => o.MaxPendingBytes = 64 * 1024, payloadBytes: 300);

        List<ReplayedRecord> layout = Journals.Layout(dir.Path);
        ReplayedRecord victim = layout[4];
        string segment = Path.Combine(dir.Path, victim.SegmentFile);
        PunchUnwrittenSectors(segment, victim);
        Assert.True(NonZeroEnd(segment) - victim.OffsetBytes > options.MaxPendingBytes + 8192);

        var ex = Assert.Throws<JournalCorruptException>(() => WriteAheadJournal.Open(options, null, out _));
        Assert.Equal(victim.OffsetBytes, ex.OffsetBytes);
        Assert.Contains("not a torn tail", ex.Message);
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
