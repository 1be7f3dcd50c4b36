namespace PaymentSwitch.Journal.Tests;

/// <summary>
/// <see cref="JournalOptions.ZeroFillSegments"/>: the next segment's file is written with zeros in the background and
/// becomes the next segment; none of that may change what the journal holds or how it recovers.
/// </summary>
public class ZeroFilledSegmentTests
{
    private const int SegmentBytes = 64 * 1024;
    private const string SpareName = "next-segment.spare";

    private static JournalOptions SmallSegments(string path, Action<JournalOptions>? more = null) =>
        Journals.Options(path, o =>
        {
            o.SegmentSizeBytes = SegmentBytes;
            more?.Invoke(o);
        });

    [Fact]
    public async Task Rolled_segments_start_in_zero_filled_files_and_every_record_replays_in_order()
    {
        using var dir = new TempDirectory();
        const int records = 3000; // 3000 × ~228 bytes: about ten 64 KiB segments
        JournalStats stats;
        await using (WriteAheadJournal journal = Journals.Open(SmallSegments(dir.Path), out _))
        {
            for (int i = 1; i <= records; i++)
            {
                Assert.Equal(i, await journal.AppendAsync(3, Journals.Payload(i, 200)));
            }

            stats = journal.GetStats();
        }

        string[] segments = Journals.SegmentFiles(dir.Path);
        Assert.True(segments.Length >= 9, $"{segments.Length} segments");
        // The spare is zero-filled once the active segment is half full, which takes far less time than filling
        // the other half one synced append at a time: nearly every roll finds it ready.
        Assert.True(stats.SegmentsZeroFilled >= segments.Length / 2, $"{stats.SegmentsZeroFilled} of {segments.Length - 1} rolls used a zero-filled file");
        Assert.All(segments, s => Assert.Equal(SegmentBytes, new FileInfo(s).Length));
        Assert.False(File.Exists(Path.Combine(dir.Path, SpareName)), "closing leaves no spare behind");

        var handler = new RecordingHandler();
        await using (Journals.Open(SmallSegments(dir.Path), out RecoveryReport report, handler))
        {
            Assert.True(report.IsClean, report.ToString());
        }

        Assert.Equal(Enumerable.Range(1, records).Select(i => (long)i), handler.Records.Select(r => r.Sequence));
        Assert.All(handler.Records, r => Assert.Equal(Journals.Payload(r.Sequence, 200), r.Payload));
    }

    [Fact]
    public async Task The_spare_is_all_zeros_at_full_length_and_the_offline_scanner_does_not_count_it()
    {
        using var dir = new TempDirectory();
        string spare = Path.Combine(dir.Path, SpareName);
        await using WriteAheadJournal journal = Journals.Open(SmallSegments(dir.Path), out _);
        int appended = 0;
        while (!File.Exists(spare))
        {
            await journal.AppendAsync(1, Journals.Payload(++appended, 200));
            Assert.True(appended < 200, "no spare after the active segment passed half full");
        }

        // Ready when it has its full length and stays unchanged (it is written in order, then synced).
        byte[] content = [];
        for (int wait = 0; wait < 500; wait++)
        {
            if (new FileInfo(spare).Length == SegmentBytes)
            {
                content = await File.ReadAllBytesAsync(spare);
                break;
            }

            await Task.Delay(10);
        }

        Assert.Equal(SegmentBytes, content.Length);
        Assert.True(content.AsSpan().IndexOfAnyExcept((byte)0) < 0, "the spare holds something other than zeros");

        RecoveryReport offline = JournalScanner.Verify(dir.Path);
        Assert.Empty(offline.UnknownFiles);
        Assert.Equal(appended, Journals.Layout(dir.Path).Count);
    }

    [Fact]
    public async Task A_spare_left_by_a_crash_is_removed_at_open_whatever_it_holds()
    {
        using var dir = new TempDirectory();
        await using (WriteAheadJournal journal = Journals.Open(SmallSegments(dir.Path), out _))
        {
            for (int i = 1; i <= 50; i++) await journal.AppendAsync(1, Journals.Payload(i, 100));
        }

        // What a crash between writing the header into the spare and renaming it would leave, plus junk.
        byte[] leftover = new byte[SegmentBytes];
        new Random(7).NextBytes(leftover);
        await File.WriteAllBytesAsync(Path.Combine(dir.Path, SpareName), leftover);

        var handler = new RecordingHandler();
        await using (WriteAheadJournal journal = Journals.Open(SmallSegments(dir.Path), out RecoveryReport report, handler))
        {
            Assert.True(report.IsClean, report.ToString());
            Assert.Equal(51, await journal.AppendAsync(1, Journals.Payload(51, 100)));
        }

        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), handler.Records.Select(r => r.Sequence));
        Assert.Equal(51, Journals.Layout(dir.Path).Count);
    }

    [Theory]
    [InlineData(false, DurabilityMode.Strict)]
    [InlineData(true, DurabilityMode.None)]
    public async Task Switched_off_or_without_fsync_no_spare_is_ever_made(bool zeroFill, DurabilityMode mode)
    {
        using var dir = new TempDirectory();
        string spare = Path.Combine(dir.Path, SpareName);
        JournalStats stats;
        await using (WriteAheadJournal journal = Journals.Open(SmallSegments(dir.Path, o =>
        {
            o.ZeroFillSegments = zeroFill;
            o.Durability = mode;
            o.AllowUnsafeDurabilityNone = true;
        }), out _))
        {
            for (int i = 1; i <= 1000; i++)
            {
                await journal.AppendAsync(1, Journals.Payload(i, 200));
                Assert.False(File.Exists(spare));
            }

            stats = journal.GetStats();
        }

        Assert.Equal(0, stats.SegmentsZeroFilled);
        Assert.True(Journals.SegmentFiles(dir.Path).Length >= 3);
        Assert.Equal(1000, Journals.Layout(dir.Path).Count);
    }
}
