using System.Globalization;

namespace PaymentSwitch.Journal.Tests;

/// <summary>
/// <see cref="JournalOptions.DirectWrites"/>: Strict appends written with O_DIRECT | O_DSYNC from an aligned buffer that
/// carries the segment's last partial block. None of that may change what the journal holds or how it recovers.
/// </summary>
public class DirectWriteTests
{
    private const int SegmentBytes = 64 * 1024;

    private static JournalOptions SmallSegments(string path, Action<JournalOptions>? more = null) =>
        Journals.Options(path, o =>
        {
            o.SegmentSizeBytes = SegmentBytes;
            o.MaxRecordPayloadBytes = 8192;
            more?.Invoke(o);
        });

    /// <summary>Payload lengths that put record ends at every kind of place in a 4 KiB block, some records spanning blocks.</summary>
    private static int LengthOf(long tag) => (int)(8 + ((tag * 977) % 6000));

    [Fact]
    public async Task Strict_appends_are_direct_writes_and_replay_byte_for_byte_across_rolls_and_reopens()
    {
        Assert.True(OperatingSystem.IsLinux(), "direct writes are a Linux feature; this suite runs on Linux");
        using var dir = new TempDirectory();
        long tag = 0;

        for (int session = 0; session < 3; session++)
        {
            await using WriteAheadJournal journal = Journals.Open(SmallSegments(dir.Path), out RecoveryReport report);
            Assert.True(report.IsClean, report.ToString());
            Assert.True(journal.GetStats().DirectWrites, "the journal on the real disk did not use direct writes");
            AssertSegmentOpenedDirect(dir.Path);

            // One at a time (a batch of one record) and 16 at once (batches of several), in turns.
            for (int round = 0; round < 20; round++)
            {
                long first = ++tag;
                Assert.Equal(first, await journal.AppendAsync(4, Journals.Payload(first, LengthOf(first))));
                var many = new Task<long>[16];
                for (int k = 0; k < many.Length; k++)
                {
                    long t = ++tag;
                    many[k] = journal.AppendAsync(4, Journals.Payload(t, LengthOf(t))).AsTask();
                }

                long[] sequences = await Task.WhenAll(many);
                Assert.Equal(Enumerable.Range((int)first + 1, 16).Select(i => (long)i), sequences.Order());
            }

            Assert.True(journal.GetStats().DirectWrites, "a rolled segment went back to buffered writes");
        }

        Assert.True(Journals.SegmentFiles(dir.Path).Length >= 4, "the records should span several 64 KiB segments");
        var handler = new RecordingHandler();
        await using (Journals.Open(SmallSegments(dir.Path), out RecoveryReport final, handler))
        {
            Assert.True(final.IsClean, final.ToString());
        }

        Assert.Equal(Enumerable.Range(1, (int)tag).Select(i => (long)i), handler.Records.Select(r => r.Sequence));
        Assert.All(handler.Records, r => Assert.Equal(Journals.Payload(r.Sequence, LengthOf(r.Sequence)), r.Payload));
    }

    [Fact]
    public async Task An_acknowledged_record_is_in_the_file_for_any_reader_and_the_rest_of_its_block_is_zeros()
    {
        using var dir = new TempDirectory();
        await using WriteAheadJournal journal = Journals.Open(SmallSegments(dir.Path, o => o.SegmentSizeBytes = 1 << 20), out _);
        Assert.True(journal.GetStats().DirectWrites);
        string segment = Assert.Single(Journals.SegmentFiles(dir.Path));
        long end = 0;
        for (long t = 1; t <= 40; t++)
        {
            byte[] payload = Journals.Payload(t, LengthOf(t));
            await journal.AppendAsync(6, payload);

            // A reader through the page cache (as `journal report` on a live switch) sees the record at once.
            byte[] file = ReadShared(segment);
            int at = IndexOf(file, payload, (int)end);
            Assert.True(at >= 0, $"record {t} is not in the file after its append completed");
            end = at + payload.Length;
            long blockEnd = (end + 4095) / 4096 * 4096;
            Assert.All(file[(int)end..(int)blockEnd], b => Assert.Equal(0, b));
        }
    }

    [Fact]
    public async Task Where_the_file_system_refuses_direct_IO_the_journal_writes_through_the_page_cache()
    {
        // ramfs refuses O_DIRECT with EINVAL (tmpfs accepts it since Linux 6.6). Mounting needs root, as this
        // project's test machines and CI run.
        using var mountPoint = new TempDirectory();
        Run("mount", $"-t ramfs ramfs {mountPoint.Path}");
        try
        {
            await AppendThenReplay(SmallSegments(Path.Combine(mountPoint.Path, "journal")), expectDirect: false);
        }
        finally
        {
            Run("umount", mountPoint.Path);
        }
    }

    [Fact]
    public void A_device_that_refuses_the_alignment_leaves_the_segment_to_buffered_writes_instead_of_failing()
    {
        // The buffer one byte off its boundary stands in for a device whose direct I/O needs more than 4 KiB alignment:
        // the probe read at attach gets EINVAL, exactly as it would there.
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "segment");
        File.WriteAllBytes(path, new byte[SegmentBytes]);
        using (PaymentSwitch.Journal.Internal.DirectSegmentWriter misaligned = PaymentSwitch.Journal.Internal.DirectSegmentWriter.TryCreate(8192, misalignment: 1)!)
        {
            Assert.False(misaligned.TryAttach(path, 100, SegmentBytes));
            Assert.Null(misaligned.AttachedPath);
        }

        using PaymentSwitch.Journal.Internal.DirectSegmentWriter aligned = PaymentSwitch.Journal.Internal.DirectSegmentWriter.TryCreate(8192)!;
        Assert.True(aligned.TryAttach(path, 100, SegmentBytes));
        aligned.Write(Journals.Payload(7, 5000), 100);
        Assert.Equal(Journals.Payload(7, 5000), File.ReadAllBytes(path).AsSpan(100, 5000).ToArray());
    }

    private static void Run(string command, string arguments)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(command, arguments) { RedirectStandardError = true })!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{command} {arguments} failed ({process.ExitCode}): {error}");
    }

    [Fact]
    public async Task A_segment_size_that_is_not_whole_blocks_and_the_option_off_and_batched_all_write_buffered()
    {
        using (var dir = new TempDirectory())
        {
            await AppendThenReplay(SmallSegments(dir.Path, o => o.SegmentSizeBytes = SegmentBytes + 512), expectDirect: false);
        }

        using (var dir = new TempDirectory())
        {
            await AppendThenReplay(SmallSegments(dir.Path, o => o.DirectWrites = false), expectDirect: false);
        }

        using (var dir = new TempDirectory())
        {
            await AppendThenReplay(SmallSegments(dir.Path, o => o.Durability = DurabilityMode.Batched), expectDirect: false);
        }

        using (var dir = new TempDirectory())
        {
            await AppendThenReplay(SmallSegments(dir.Path), expectDirect: true); // the same records, direct
        }
    }

    [Fact]
    public async Task A_torn_tail_in_the_last_block_is_cut_and_direct_appends_continue_after_it()
    {
        using var dir = new TempDirectory();
        JournalOptions options = SmallSegments(dir.Path);
        await using (WriteAheadJournal journal = Journals.Open(options, out _))
        {
            for (long t = 1; t <= 5; t++)
            {
                await journal.AppendAsync(2, Journals.Payload(t, 300));
            }
        }

        // Half a record of junk after the last one, inside the same block: what a torn write leaves.
        string segment = Assert.Single(Journals.SegmentFiles(dir.Path));
        long dataEnd = IndexOf(ReadShared(segment), Journals.Payload(5, 300), 0) + 300;
        using (var f = new FileStream(segment, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            f.Position = dataEnd;
            f.Write(Enumerable.Repeat((byte)0xA5, 150).ToArray());
        }

        await using (WriteAheadJournal journal = Journals.Open(options, out RecoveryReport report))
        {
            Assert.Equal(JournalDamageResolution.TailCut, Assert.Single(report.Damages).Resolution);
            Assert.True(journal.GetStats().DirectWrites);
            for (long t = 6; t <= 10; t++)
            {
                Assert.Equal(t, await journal.AppendAsync(2, Journals.Payload(t, 300)));
            }
        }

        var handler = new RecordingHandler();
        await using (Journals.Open(options, out RecoveryReport clean, handler))
        {
            Assert.True(clean.IsClean, clean.ToString());
        }

        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), handler.Records.Select(r => r.Sequence));
        Assert.All(handler.Records, r => Assert.Equal(Journals.Payload(r.Sequence, 300), r.Payload));
    }

    private static async Task AppendThenReplay(JournalOptions options, bool expectDirect)
    {
        const int count = 300;
        await using (WriteAheadJournal journal = Journals.Open(options, out _))
        {
            for (long t = 1; t <= count; t++)
            {
                Assert.Equal(t, await journal.AppendAsync(3, Journals.Payload(t, LengthOf(t))));
            }

            Assert.Equal(expectDirect, journal.GetStats().DirectWrites);
        }

        var handler = new RecordingHandler();
        await using (Journals.Open(options, out RecoveryReport report, handler))
        {
            Assert.True(report.IsClean, report.ToString());
        }

        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), handler.Records.Select(r => r.Sequence));
        Assert.All(handler.Records, r => Assert.Equal(Journals.Payload(r.Sequence, LengthOf(r.Sequence)), r.Payload));
    }

    /// <summary>Some descriptor of this process is open on the newest segment with O_DIRECT and O_DSYNC (from /proc/self/fdinfo).</summary>
    private static void AssertSegmentOpenedDirect(string directory)
    {
        string segment = Path.GetFullPath(Journals.SegmentFiles(directory)[^1]);
        int direct = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? 0x10000 : 0x4000;
        const int dsync = 0x1000;
        foreach (string fd in Directory.GetFiles("/proc/self/fd"))
        {
            string? target;
            try
            {
                target = new FileInfo(fd).LinkTarget;
            }
            catch (IOException)
            {
                continue;
            }

            if (target != segment)
            {
                continue;
            }

            string flagsLine = File.ReadLines("/proc/self/fdinfo/" + Path.GetFileName(fd)).First(l => l.StartsWith("flags:", StringComparison.Ordinal));
            int flags = Convert.ToInt32(flagsLine["flags:".Length..].Trim(), 8);
            if ((flags & direct) != 0 && (flags & dsync) != 0)
            {
                return;
            }
        }

        Assert.Fail($"no descriptor open on {segment} with O_DIRECT | O_DSYNC");
    }

    private static byte[] ReadShared(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var bytes = new byte[f.Length];
        f.ReadExactly(bytes);
        return bytes;
    }

    private static int IndexOf(byte[] haystack, byte[] needle, int from) =>
        haystack.AsSpan(from).IndexOf(needle) is int i and >= 0 ? from + i : -1;
}
