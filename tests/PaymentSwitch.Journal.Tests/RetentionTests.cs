namespace PaymentSwitch.Journal.Tests;

public class RetentionTests
{
    private static JournalOptions SmallSegments(string directory, Action<JournalOptions>? more = null) => Journals.Options(directory, o =>
    {
        o.SegmentSizeBytes = 8192;
        o.MaxRecordPayloadBytes = 1024;
        o.MaxPendingBytes = 8192;
        o.HealthCheckIntervalMs = 600_000; // the test drives retention itself
        more?.Invoke(o);
    });

    private static async Task AppendMany(WriteAheadJournal journal, int count)
    {
        for (int i = 0; i < count; i++)
        {
            await journal.AppendAsync(1, Journals.Payload(i, 500));
        }
    }

    [Fact]
    public async Task Segments_wholly_below_retain_from_are_deleted_and_the_rest_replays()
    {
        using var dir = new TempDirectory();
        JournalOptions options = SmallSegments(dir.Path);
        long firstKept;
        await using (WriteAheadJournal journal = Journals.Open(options, out _))
        {
            await AppendMany(journal, 150);
            List<ReplayedRecord> layout = Journals.Layout(dir.Path);
            int segmentsBefore = Journals.SegmentFiles(dir.Path).Length;
            Assert.Equal(0, journal.ApplyRetention()); // nothing until the caller says what it needs

            journal.SetRetainFrom(60);
            journal.SetRetainFrom(10); // never moves backwards
            int retired = journal.ApplyRetention();
            string holder = layout.Single(r => r.Sequence == 60).SegmentFile;
            firstKept = layout.First(r => r.SegmentFile == holder).Sequence;
            int expectedRetired = layout.Where(r => r.Sequence < firstKept).Select(r => r.SegmentFile).Distinct().Count();
            Assert.True(expectedRetired > 0);
            Assert.Equal(expectedRetired, retired);
            Assert.Equal(segmentsBefore - retired, Journals.SegmentFiles(dir.Path).Length);
            Assert.Equal(retired, journal.GetStats().SegmentsRetired);
            Assert.Equal(151, await journal.AppendAsync(1, new byte[5]));
        }

        // The retain point is persisted by the maintenance pass (not run here: see ReplayCheckpointTests), so everything
        // kept replays.
        Assert.False(File.Exists(Path.Combine(dir.Path, "replay-from.checkpoint")));
        var handler = new RecordingHandler();
        await using (Journals.Open(options, out RecoveryReport report, handler))
        {
            Assert.True(report.IsClean, report.ToString());
            Assert.Equal(firstKept, report.FirstSequence);
            Assert.Equal(0, report.ReplayedFromSequence);
            Assert.Equal(Enumerable.Range((int)firstKept, 152 - (int)firstKept).Select(i => (long)i), handler.Records.Select(r => r.Sequence));
        }
    }

    [Fact]
    public async Task Active_segment_is_never_retired_and_young_segments_wait_for_their_age()
    {
        using var dir = new TempDirectory();
        await using (WriteAheadJournal journal = Journals.Open(SmallSegments(dir.Path, o => o.RetentionAge = TimeSpan.FromHours(1)), out _))
        {
            await AppendMany(journal, 80);
            journal.SetRetainFrom(long.MaxValue);
            Assert.Equal(0, journal.ApplyRetention()); // too young
        }

        await using (WriteAheadJournal journal = Journals.Open(SmallSegments(dir.Path), out _))
        {
            journal.SetRetainFrom(long.MaxValue);
            Assert.True(journal.ApplyRetention() > 0);
            string[] left = Journals.SegmentFiles(dir.Path);
            Assert.Single(left); // only the active one
            Assert.Equal(81, await journal.AppendAsync(1, new byte[5]));
        }
    }

    [Fact]
    public async Task Retired_segments_are_moved_to_the_archive_directory()
    {
        using var dir = new TempDirectory();
        using var archive = new TempDirectory();
        JournalOptions options = SmallSegments(dir.Path, o => o.ArchiveDirectory = Path.Combine(archive.Path, "wal-archive"));
        await using WriteAheadJournal journal = Journals.Open(options, out _);
        await AppendMany(journal, 80);
        string[] before = Journals.SegmentFiles(dir.Path);
        journal.SetRetainFrom(long.MaxValue);
        int retired = journal.ApplyRetention();
        Assert.Equal(before.Length - 1, retired);
        string[] archived = Journals.SegmentFiles(Path.Combine(archive.Path, "wal-archive"));
        Assert.Equal(before.Take(retired).Select(Path.GetFileName), archived.Select(Path.GetFileName));
        foreach (string f in archived)
        {
            Assert.Empty(JournalScanner.ScanSegmentFile(f, null).Damages); // intact copies
        }
    }

    [Fact]
    public async Task Background_pass_applies_retention_on_its_own()
    {
        using var dir = new TempDirectory();
        await using WriteAheadJournal journal = Journals.Open(SmallSegments(dir.Path, o => o.HealthCheckIntervalMs = 20), out _);
        await AppendMany(journal, 80);
        journal.SetRetainFrom(long.MaxValue);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Journals.SegmentFiles(dir.Path).Length > 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Single(Journals.SegmentFiles(dir.Path));
        Assert.Null(journal.GetStats().MaintenanceProblem);
        Assert.True(journal.GetStats().FreeBytes > 0);
    }
}
