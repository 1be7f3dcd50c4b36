using System.Diagnostics;
using Xunit.Abstractions;

namespace PaymentSwitch.Journal.Tests;

public class DiskFullTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Full_disk_faults_appends_clearly_never_reports_unsynced_records_and_sets_health()
    {
        using var root = new TempDirectory();
        string mountPoint = Path.Combine(root.Path, "small");
        Directory.CreateDirectory(mountPoint);
        (int code, string text) = Run("mount", $"-t tmpfs -o size=2m tmpfs {mountPoint}");
        if (code != 0)
        {
            output.WriteLine($"mount not permitted ({text.Trim()}); testing the MinFreeBytes path instead");
            await MinFreeBytesPath(root.Path);
            return;
        }

        output.WriteLine("real 2 MiB tmpfs mounted at " + mountPoint);
        try
        {
            await RealDiskFull(Path.Combine(mountPoint, "journal"));
        }
        finally
        {
            if (Run("umount", mountPoint).Code != 0)
            {
                Run("umount", "-l " + mountPoint);
            }
        }
    }

    private async Task RealDiskFull(string directory)
    {
        JournalOptions options = Journals.Options(directory, o =>
        {
            o.SegmentSizeBytes = 256 * 1024;
            o.MaxRecordPayloadBytes = 2048;
            o.MaxPendingBytes = 64 * 1024;
            o.MinFreeBytes = 512 * 1024;
        });
        var succeeded = new SortedSet<long>();
        JournalFaultedException? firstFailure = null;
        string? healthBeforeFailure = null;
        int failed = 0;

        WriteAheadJournal journal = WriteAheadJournal.Open(options, null, out _);
        try
        {
            Assert.Null(journal.HealthProblem);
            for (int round = 0; round < 10_000 && firstFailure is null; round++)
            {
                string? health = journal.HealthProblem;
                var batch = Enumerable.Range(0, 16).Select(i => journal.AppendAsync(1, Journals.Payload((round * 16) + i, 1500)).AsTask()).ToArray();
                foreach (Task<long> t in batch)
                {
                    try
                    {
                        succeeded.Add(await t);
                    }
                    catch (JournalFaultedException ex)
                    {
                        firstFailure ??= ex;
                        healthBeforeFailure ??= health;
                        failed++;
                    }
                }
            }

            Assert.NotNull(firstFailure);
            output.WriteLine($"{succeeded.Count} appends durable, {failed} failed: {firstFailure!.Message}");
            Assert.IsType<JournalFullException>(firstFailure);
            Assert.Contains("disk full", firstFailure.Message);
            Assert.Contains(directory, firstFailure.Message);

            // Readiness went off before the disk was full (MinFreeBytes), and stays off with the reason.
            Assert.NotNull(healthBeforeFailure);
            Assert.Contains("disk low", healthBeforeFailure);
            Assert.False(journal.IsWritable);
            Assert.Contains("disk full", journal.HealthProblem);

            // Later appends fail at once, clearly.
            var later = await Assert.ThrowsAsync<JournalFullException>(async () => await journal.AppendAsync(1, new byte[10]));
            Assert.Contains("disk full", later.Message);
            Assert.Throws<JournalFullException>(() => journal.TryAppend(1, new byte[10], out _));
        }
        finally
        {
            await journal.DisposeAsync();
        }

        // After restart: exactly the records that were reported durable, nothing that was not.
        var handler = new RecordingHandler();
        await using (WriteAheadJournal reopened = WriteAheadJournal.Open(options, handler, out RecoveryReport report))
        {
            Assert.True(report.IsClean, report.ToString());
        }

        Assert.Equal(succeeded, handler.Records.Select(r => r.Sequence).ToHashSet());
        Assert.Equal(succeeded.Count, handler.Records.Count);
    }

    private async Task MinFreeBytesPath(string directory)
    {
        JournalOptions options = Journals.Options(directory, o => o.MinFreeBytes = long.MaxValue);
        await using WriteAheadJournal journal = WriteAheadJournal.Open(options, null, out _);
        Assert.False(journal.IsWritable);
        Assert.Contains("disk low", journal.HealthProblem);
        Assert.Equal(1, await journal.AppendAsync(1, new byte[10])); // work in flight can still finish
    }

    private static (int Code, string Text) Run(string file, string arguments)
    {
        try
        {
            using Process p = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            string text = p.StandardError.ReadToEnd() + p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, text);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, ex.Message);
        }
    }
}
