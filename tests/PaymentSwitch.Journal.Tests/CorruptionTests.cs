namespace PaymentSwitch.Journal.Tests;

public class CorruptionTests
{
    private static async Task<JournalOptions> WriteSegments(string directory, int records, long segmentSize = 16 * 1024)
    {
        JournalOptions options = Journals.Options(directory, o =>
        {
            o.SegmentSizeBytes = segmentSize;
            o.MaxRecordPayloadBytes = 1024;
            o.MaxPendingBytes = 8 * 1024;
        });
        await using WriteAheadJournal journal = Journals.Open(options, out _);
        for (int i = 1; i <= records; i++)
        {
            await journal.AppendAsync(1, Journals.Payload(i, 300));
        }

        return options;
    }

    [Fact]
    public async Task Flipped_bit_before_the_tail_refuses_to_open_naming_file_offset_sequence_and_remedy()
    {
        using var dir = new TempDirectory();
        JournalOptions options = await WriteSegments(dir.Path, 50, segmentSize: 1 << 20);
        ReplayedRecord victim = Journals.Layout(dir.Path)[19]; // sequence 20, 30 valid records follow it
        Journals.FlipBit(Path.Combine(dir.Path, victim.SegmentFile), victim.OffsetBytes + 28 + 100, 3);

        var handler = new RecordingHandler();
        var ex = Assert.Throws<JournalCorruptException>(() => WriteAheadJournal.Open(options, handler, out _));
        Assert.Equal(victim.SegmentFile, ex.SegmentFile);
        Assert.Equal(victim.OffsetBytes, ex.OffsetBytes);
        Assert.Equal(20, ex.Sequence);
        Assert.Contains(victim.SegmentFile, ex.Message);
        Assert.Contains($"offset {victim.OffsetBytes}", ex.Message);
        Assert.Contains("sequence 20", ex.Message);
        Assert.Contains("journal verify", ex.Message);
        Assert.Contains("backup", ex.Message);
        Assert.Contains("QuarantineDamagedSegments", ex.Message);
        Assert.Contains("sequence 21", ex.Message); // the valid record that proves it is not a torn tail
        Assert.Empty(handler.Records); // nothing replayed when the open refuses

        // The lock is released: a read-only verify works and reports instead of throwing.
        RecoveryReport verify = JournalScanner.Verify(dir.Path);
        Assert.NotNull(verify.OpenRefusal);
        Assert.Contains(verify.Damages, d => d.Kind == JournalDamageKind.ChecksumMismatch && d.OffsetBytes == victim.OffsetBytes);
        var dump = new RecordingHandler();
        JournalScanner.Scan(dir.Path, dump);
        Assert.Equal(49, dump.Records.Count); // the scanner salvages everything readable around the damage
        Assert.DoesNotContain(dump.Records, r => r.Sequence == 20);
    }

    [Fact]
    public async Task Damage_in_a_segment_that_is_not_the_last_refuses_even_at_its_end()
    {
        using var dir = new TempDirectory();
        JournalOptions options = await WriteSegments(dir.Path, 200);
        string[] files = Journals.SegmentFiles(dir.Path);
        Assert.True(files.Length >= 3);
        List<ReplayedRecord> layout = Journals.Layout(dir.Path);
        ReplayedRecord lastOfFirst = layout.Last(r => r.SegmentFile == Path.GetFileName(files[0]));
        Journals.FlipBit(files[0], lastOfFirst.OffsetBytes + 40, 0);

        var ex = Assert.Throws<JournalCorruptException>(() => WriteAheadJournal.Open(options, null, out _));
        Assert.Equal(Path.GetFileName(files[0]), ex.SegmentFile);
        Assert.Contains("not the last", ex.Message);
    }

    [Fact]
    public async Task Quarantine_option_moves_the_damaged_segment_reports_it_and_later_opens_stay_possible()
    {
        using var dir = new TempDirectory();
        JournalOptions options = await WriteSegments(dir.Path, 200);
        string[] files = Journals.SegmentFiles(dir.Path);
        string damaged = files[1];
        string damagedName = Path.GetFileName(damaged);
        List<ReplayedRecord> layout = Journals.Layout(dir.Path);
        ReplayedRecord victim = layout.First(r => r.SegmentFile == damagedName);
        int inDamaged = layout.Count(r => r.SegmentFile == damagedName);
        Journals.FlipBit(damaged, victim.OffsetBytes + 30, 5);

        options.QuarantineDamagedSegments = true;
        var handler = new RecordingHandler();
        long next;
        await using (WriteAheadJournal journal = WriteAheadJournal.Open(options, handler, out RecoveryReport report))
        {
            Assert.Equal([damagedName], report.QuarantinedSegments);
            Assert.Contains(report.Damages, d => d.Resolution == JournalDamageResolution.Quarantined && d.SegmentFile == damagedName
                && d.Description.Contains("NOT replayed"));
            Assert.False(report.IsClean);
            Assert.True(File.Exists(Path.Combine(dir.Path, "quarantine", damagedName)));
            Assert.False(File.Exists(damaged));
            Assert.Equal(200 - inDamaged, handler.Records.Count);
            Assert.DoesNotContain(handler.Records, r => r.SegmentFile == damagedName);
            next = await journal.AppendAsync(1, new byte[10]);
            Assert.Equal(201, next);
        }

        // Without the option, the hole is explained by the quarantined file and reported, not blocking.
        options.QuarantineDamagedSegments = false;
        await using (WriteAheadJournal journal = WriteAheadJournal.Open(options, null, out RecoveryReport report))
        {
            JournalDamage gap = Assert.Single(report.Damages);
            Assert.Equal(JournalDamageResolution.GapCoveredByQuarantine, gap.Resolution);
            Assert.Equal(next + 1, await journal.AppendAsync(1, new byte[10]));
        }

        // The quarantined file can still be read record by record.
        var salvage = new RecordingHandler();
        RecoveryReport single = JournalScanner.ScanSegmentFile(Path.Combine(dir.Path, "quarantine", damagedName), salvage);
        Assert.Equal(inDamaged - 1, salvage.Records.Count);
        Assert.Contains(single.Damages, d => d.Kind == JournalDamageKind.ChecksumMismatch);
    }

    [Fact]
    public async Task Quarantine_of_the_last_segment_continues_after_its_highest_sequence()
    {
        using var dir = new TempDirectory();
        JournalOptions options = await WriteSegments(dir.Path, 60, segmentSize: 1 << 20);
        ReplayedRecord victim = Journals.Layout(dir.Path)[9];
        Journals.FlipBit(Path.Combine(dir.Path, victim.SegmentFile), victim.OffsetBytes + 50, 1);
        options.QuarantineDamagedSegments = true;
        await using WriteAheadJournal journal = WriteAheadJournal.Open(options, null, out RecoveryReport report);
        Assert.Single(report.QuarantinedSegments);
        Assert.Equal(61, report.NextSequence); // never reuses a sequence number seen in the quarantined segment
        Assert.Equal(61, await journal.AppendAsync(1, new byte[1]));
    }

    [Fact]
    public async Task Missing_middle_segment_refuses_with_a_clear_message_even_with_quarantine()
    {
        using var dir = new TempDirectory();
        JournalOptions options = await WriteSegments(dir.Path, 200);
        string[] files = Journals.SegmentFiles(dir.Path);
        string missing = Path.GetFileName(files[2]);
        File.Delete(files[2]);

        var ex = Assert.Throws<JournalCorruptException>(() => WriteAheadJournal.Open(options, null, out _));
        Assert.Equal(JournalDamageKind.MissingSegment, ex.Damage.Kind);
        Assert.Contains($"segment file {missing} is missing", ex.Message);
        Assert.Contains("Restore", ex.Message);

        options.QuarantineDamagedSegments = true;
        Assert.Throws<JournalCorruptException>(() => WriteAheadJournal.Open(options, null, out _));
        Assert.NotNull(JournalScanner.Verify(dir.Path).OpenRefusal);
    }

    [Fact]
    public async Task Damaged_segment_header_refuses()
    {
        using var dir = new TempDirectory();
        JournalOptions options = await WriteSegments(dir.Path, 200);
        string[] files = Journals.SegmentFiles(dir.Path);
        Journals.FlipBit(files[1], 9, 0); // first-sequence field of the header
        var ex = Assert.Throws<JournalCorruptException>(() => WriteAheadJournal.Open(options, null, out _));
        Assert.Equal(JournalDamageKind.InvalidSegmentHeader, ex.Damage.Kind);
        Assert.Equal(Path.GetFileName(files[1]), ex.SegmentFile);
    }

    [Fact]
    public async Task Record_with_valid_checksum_but_wrong_sequence_is_never_taken_for_a_torn_tail()
    {
        using var dir = new TempDirectory();
        JournalOptions options = await WriteSegments(dir.Path, 10, segmentSize: 1 << 20);
        List<ReplayedRecord> layout = Journals.Layout(dir.Path);
        // Copy record 3 (valid checksum) behind record 10: a stale or misplaced record, not a crash artefact.
        string segment = Path.Combine(dir.Path, layout[2].SegmentFile);
        byte[] bytes = File.ReadAllBytes(segment);
        int size = 28 + layout[2].Payload.Length;
        long end = layout[9].OffsetBytes + 28 + layout[9].Payload.Length;
        Journals.Overwrite(segment, end, bytes.AsSpan((int)layout[2].OffsetBytes, size));
        var ex = Assert.Throws<JournalCorruptException>(() => WriteAheadJournal.Open(options, null, out _));
        Assert.Equal(JournalDamageKind.SequenceBreak, ex.Damage.Kind);
        Assert.Equal(end, ex.OffsetBytes);
    }
}
