namespace PaymentSwitch.Journal.Tests;

/// <summary>
/// Entry point of the test assembly when run as a child process (<c>dotnet PaymentSwitch.Journal.Tests.dll crash-child DIR</c>)
/// by <see cref="CrashTests"/>; the test runner itself does not use it.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 2 && args[0] == "crash-child")
        {
            await CrashChild.RunAsync(args[1]);
            return 0;
        }

        await Console.Error.WriteLineAsync("usage: PaymentSwitch.Journal.Tests crash-child <journal-directory>");
        return 2;
    }
}

/// <summary>Appends from 32 concurrent appenders forever, printing each sequence once it is durable, until killed.</summary>
internal static class CrashChild
{
    public static JournalOptions Options(string directory) => Journals.Options(directory, o =>
    {
        o.SegmentSizeBytes = 64 * 1024; // roll often, so kills also land around segment creation
        o.MaxRecordPayloadBytes = 2048;
        o.MaxPendingBytes = 32 * 1024;
    });

    public static async Task RunAsync(string directory)
    {
        var stdout = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
        var gate = new object();
        WriteAheadJournal journal = WriteAheadJournal.Open(Options(directory), null, out RecoveryReport report);
        lock (gate)
        {
            stdout.WriteLine($"open {report.NextSequence}");
        }

        var workers = Enumerable.Range(0, 32).Select(a => Task.Run(async () =>
        {
            var random = new Random(a);
            for (long i = 0; ; i++)
            {
                long seq = await journal.AppendAsync((byte)a, Journals.Payload((a * 1_000_000_000L) + i, random.Next(8, 1500)));
                lock (gate)
                {
                    stdout.WriteLine($"ack {seq}");
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
    }
}
