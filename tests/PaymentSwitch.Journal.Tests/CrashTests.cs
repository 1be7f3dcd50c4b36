using System.Diagnostics;
using Xunit.Abstractions;

namespace PaymentSwitch.Journal.Tests;

/// <summary>
/// A real process appending with 32 concurrent appenders is SIGKILLed at random instants, repeatedly, on the same
/// journal. Every time, the journal must open (never "corrupt"), keep every acknowledged record, and hold contiguous
/// sequences: a kill can only leave a torn tail.
/// </summary>
public class CrashTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Sigkill_at_random_instants_only_ever_leaves_a_torn_tail_and_loses_no_acknowledged_record()
    {
        using var dir = new TempDirectory();
        var acknowledged = new HashSet<long>();
        var random = new Random(2024);
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        string assembly = typeof(CrashTests).Assembly.Location;

        for (int cycle = 0; cycle < 6; cycle++)
        {
            var psi = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(assembly);
            psi.ArgumentList.Add("crash-child");
            psi.ArgumentList.Add(dir.Path);
            using Process child = Process.Start(psi)!;
            var lines = new List<string>();
            var firstAck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task reader = Task.Run(async () =>
            {
                while (await child.StandardOutput.ReadLineAsync() is string line)
                {
                    lock (lines)
                    {
                        lines.Add(line);
                    }

                    if (line.StartsWith("ack ", StringComparison.Ordinal))
                    {
                        firstAck.TrySetResult();
                    }
                }
            });
            Task<string> errors = child.StandardError.ReadToEndAsync();

            Task started = await Task.WhenAny(firstAck.Task, Task.Delay(TimeSpan.FromSeconds(60)), child.WaitForExitAsync());
            Assert.True(firstAck.Task.IsCompleted, $"child never acknowledged an append: {await ErrorsIfExited(child, errors)}");
            await Task.Delay(random.Next(0, 400));
            child.Kill(); // SIGKILL
            await child.WaitForExitAsync();
            await reader;
            await errors;

            int acks = 0;
            foreach (string line in lines)
            {
                if (line.StartsWith("ack ", StringComparison.Ordinal))
                {
                    acknowledged.Add(long.Parse(line.AsSpan(4)));
                    acks++;
                }
            }

            var handler = new RecordingHandler();
            RecoveryReport report;
            await using (WriteAheadJournal journal = WriteAheadJournal.Open(CrashChild.Options(dir.Path), handler, out report))
            {
            }

            output.WriteLine($"cycle {cycle}: {acks} acks this run, {handler.Records.Count} records after recovery, " +
                $"tail cut {report.TornTailBytesCut} bytes, damages: {string.Join("; ", report.Damages.Select(d => d.Resolution + "/" + d.Kind))}");
            Assert.All(report.Damages, d => Assert.True(
                d.Resolution is JournalDamageResolution.TailCut or JournalDamageResolution.IncompleteSegmentRemoved, d.ToString()));
            Assert.Equal(Enumerable.Range(1, handler.Records.Count).Select(i => (long)i), handler.Records.Select(r => r.Sequence));
            var present = handler.Records.Select(r => r.Sequence).ToHashSet();
            Assert.True(acknowledged.IsSubsetOf(present), $"acknowledged records lost: {string.Join(",", acknowledged.Except(present).Take(10))}");
            foreach (ReplayedRecord r in handler.Records)
            {
                long tag = Journals.Tag(r.Payload);
                Assert.Equal(Journals.Payload(tag, r.Payload.Length), r.Payload);
                Assert.Equal((byte)(tag / 1_000_000_000L), r.RecordType);
            }
        }

        Assert.True(acknowledged.Count > 0);
    }

    private static async Task<string> ErrorsIfExited(Process child, Task<string> errors)
    {
        if (!child.HasExited)
        {
            child.Kill();
        }

        await child.WaitForExitAsync();
        return $"exit {child.ExitCode}: {await errors}";
    }
}
