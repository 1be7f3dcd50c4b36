using PaymentSwitch.Journal.Internal;

namespace PaymentSwitch.Journal.Tests;

/// <summary>The retain point kept in the directory, and Open replaying from it.</summary>
public class ReplayCheckpointTests
{
    private static JournalOptions SmallSegments(string directory) => Journals.Options(directory, o =>
    {
        o.SegmentSizeBytes = 8192;
        o.MaxRecordPayloadBytes = 1024;
        o.MaxPendingBytes = 8192;
        o.HealthCheckIntervalMs = 600_000; // the test runs the maintenance pass itself
        o.RetentionAge = TimeSpan.FromHours(1); // and it retires nothing
    });

    private static string CheckpointPath(string directory) => Path.Combine(directory, ReplayCheckpoint.FileName);

    private static long? Kept(string directory) => ReplayCheckpoint.Read(directory, out _)?.Sequence;

    /// <summary>Writes records 1..count, sets the retain point, runs the maintenance pass that persists it.</summary>
    private static async Task<JournalOptions> WriteAndPersist(string directory, int count, long retainFrom)
    {
        JournalOptions options = SmallSegments(directory);
        await using WriteAheadJournal journal = Journals.Open(options, out _);
        for (int i = 1; i <= count; i++)
        {
            await journal.AppendAsync(1, Journals.Payload(i, 300));
        }

        journal.SetRetainFrom(retainFrom);
        journal.RunMaintenance();
        return options;
    }

    [Fact]
    public async Task Open_replays_only_from_the_persisted_retain_point_and_appends_continue_after_the_end()
    {
        using var dir = new TempDirectory();
        JournalOptions options = await WriteAndPersist(dir.Path, 200, retainFrom: 150);
        Assert.True(Journals.SegmentFiles(dir.Path).Length > 5, "the records before the retain point fill several segments");
        ReplayCheckpoint? kept = ReplayCheckpoint.Read(dir.Path, out string? problem);
        Assert.Null(problem);
        Assert.Equal(150, kept?.Sequence);
        ReplayedRecord holder = Journals.Layout(dir.Path).Single(r => r.Sequence == 150);
        Assert.Equal(JournalScanner.ScanSegmentFile(Path.Combine(dir.Path, holder.SegmentFile), null).FirstSequence, kept?.SegmentFirstSequence);

        var handler = new RecordingHandler();
        await using (WriteAheadJournal journal = Journals.Open(options, out RecoveryReport report, handler))
        {
            Assert.True(report.IsClean, report.ToString()); // the checkpoint file is not an unknown file
            Assert.Equal(150, report.ReplayedFromSequence);
            Assert.Equal(1, report.FirstSequence); // the records below it are still in the journal
            Assert.Equal(Enumerable.Range(150, 51).Select(i => (long)i), handler.Records.Select(r => r.Sequence));
            Assert.Equal(150, Journals.Tag(handler.Records[0].Payload));
            Assert.Equal(201, await journal.AppendAsync(1, new byte[5]));
        }

        // A reader of the whole journal still sees every record.
        Assert.Equal(201, Journals.Layout(dir.Path).Count);
    }

    [Fact]
    public async Task The_persisted_retain_point_never_passes_the_durable_records()
    {
        using var dir = new TempDirectory();
        JournalOptions options = await WriteAndPersist(dir.Path, 40, retainFrom: long.MaxValue);
        Assert.Equal(41, Kept(dir.Path));

        var handler = new RecordingHandler();
        await using WriteAheadJournal journal = Journals.Open(options, out RecoveryReport report, handler);
        Assert.Empty(handler.Records);
        Assert.Equal(41, report.ReplayedFromSequence);
        Assert.Equal(41, await journal.AppendAsync(1, new byte[5]));
    }

    [Fact]
    public async Task A_damaged_checkpoint_means_a_full_replay_and_is_reported()
    {
        using var dir = new TempDirectory();
        JournalOptions options = await WriteAndPersist(dir.Path, 60, retainFrom: 50);
        Journals.FlipBit(CheckpointPath(dir.Path), 9, 2); // inside the sequence: the checksum no longer matches

        var handler = new RecordingHandler();
        await using (Journals.Open(options, out RecoveryReport report, handler))
        {
            Assert.Equal(60, handler.Records.Count);
            Assert.Equal(0, report.ReplayedFromSequence);
            Assert.Contains("damaged", report.ReplayCheckpointProblem);
            Assert.Contains("everything replayed", report.ToString());
        }
    }

    [Fact]
    public async Task A_checkpoint_beyond_the_end_of_the_journal_means_a_full_replay_and_is_removed()
    {
        using var dir = new TempDirectory();
        JournalOptions options = await WriteAndPersist(dir.Path, 30, retainFrom: 20);
        ReplayCheckpoint kept = ReplayCheckpoint.Read(dir.Path, out _)!.Value;
        (kept with { Sequence = 5000 }).Write(dir.Path, sync: true);

        var handler = new RecordingHandler();
        await using (WriteAheadJournal journal = Journals.Open(options, out RecoveryReport report, handler))
        {
            Assert.Equal(30, handler.Records.Count);
            Assert.Contains("beyond the journal's end", report.ReplayCheckpointProblem);
            Assert.False(File.Exists(CheckpointPath(dir.Path))); // it cannot apply once the journal grows past 5000
            Assert.Equal(31, await journal.AppendAsync(1, new byte[5]));
        }
    }

    [Fact]
    public async Task A_checkpoint_of_another_journal_is_not_applied_to_this_one()
    {
        using var dir = new TempDirectory();
        await WriteAndPersist(dir.Path, 60, retainFrom: 50);
        Assert.Equal(50, Kept(dir.Path));

        // The segments are removed by hand, the checkpoint left behind; a new journal grows past its sequence.
        foreach (string segment in Journals.SegmentFiles(dir.Path))
        {
            File.Delete(segment);
        }

        await Task.Delay(5); // another creation time for the new first segment
        JournalOptions options = SmallSegments(dir.Path);
        await using (WriteAheadJournal journal = Journals.Open(options, out RecoveryReport first))
        {
            Assert.Contains("beyond the journal's end", first.ReplayCheckpointProblem);
            for (int i = 1; i <= 100; i++)
            {
                await journal.AppendAsync(1, Journals.Payload(i, 300));
            }
        }

        var handler = new RecordingHandler();
        await using (Journals.Open(options, out RecoveryReport report, handler))
        {
            Assert.Equal(100, handler.Records.Count); // records 1..49 of the new journal are not skipped
            Assert.Equal(0, report.ReplayedFromSequence);
        }

        // The same, with the checkpoint written back in as if restored from the old journal's backup: the segment it
        // names has the right first sequence, but another creation time.
        string holderFile = Journals.Layout(dir.Path).Single(r => r.Sequence == 50).SegmentFile;
        long holderFirst = JournalScanner.ScanSegmentFile(Path.Combine(dir.Path, holderFile), null).FirstSequence;
        new ReplayCheckpoint(50, holderFirst, 1_000).Write(dir.Path, sync: true);
        var again = new RecordingHandler();
        await using (Journals.Open(options, out RecoveryReport report, again))
        {
            Assert.Equal(100, again.Records.Count);
            Assert.Contains("not in this journal", report.ReplayCheckpointProblem);
            Assert.False(File.Exists(CheckpointPath(dir.Path)));
        }
    }

    [Fact]
    public async Task The_retain_point_is_rewritten_only_when_it_moves_forward()
    {
        using var dir = new TempDirectory();
        JournalOptions options = SmallSegments(dir.Path);
        await using WriteAheadJournal journal = Journals.Open(options, out _);
        for (int i = 1; i <= 20; i++)
        {
            await journal.AppendAsync(1, Journals.Payload(i, 100));
        }

        journal.RunMaintenance();
        Assert.False(File.Exists(CheckpointPath(dir.Path))); // nothing said yet: nothing kept

        journal.SetRetainFrom(12);
        journal.RunMaintenance();
        Assert.Equal(12, Kept(dir.Path));
        DateTime written = File.GetLastWriteTimeUtc(CheckpointPath(dir.Path));

        File.SetLastWriteTimeUtc(CheckpointPath(dir.Path), written.AddMinutes(-5));
        journal.SetRetainFrom(5); // backwards: ignored
        journal.RunMaintenance();
        Assert.Equal(written.AddMinutes(-5), File.GetLastWriteTimeUtc(CheckpointPath(dir.Path))); // not rewritten
        Assert.Equal(12, Kept(dir.Path));

        journal.SetRetainFrom(18);
        journal.RunMaintenance();
        Assert.Equal(18, Kept(dir.Path));
        Assert.False(File.Exists(Path.Combine(dir.Path, ReplayCheckpoint.TemporaryFileName)));
    }
}
