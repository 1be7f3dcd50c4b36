namespace PaymentSwitch.Journal.Tests;

[CollectionDefinition(nameof(AllocationTests), DisableParallelization = true)]
public sealed class AllocationCollection
{
}

/// <summary>Runs alone (no parallel tests), because it counts every allocation of the process.</summary>
[Collection(nameof(AllocationTests))]
public class AllocationTests
{
    private const int Appenders = 16;
    private const int PerAppender = 5000;

    [Theory]
    [InlineData(DurabilityMode.Strict)]
    [InlineData(DurabilityMode.Batched)]
    public async Task Steady_state_appends_allocate_nothing_per_record(DurabilityMode mode)
    {
        using var dir = new TempDirectory();
        await using WriteAheadJournal journal = Journals.Open(Journals.Options(dir.Path, o => o.Durability = mode), out _);

        // On the thread pool, away from the test framework's synchronization context (which allocates per post).
        long allocated = await Task.Run(() => MeasureAsync(journal));
        double perAppend = (double)allocated / (Appenders * PerAppender);
        // Any object allocated per append would cost at least 24 bytes; what remains is the per-loop state machines
        // and runtime noise spread over 80,000 appends.
        Assert.True(perAppend < 4, $"{perAppend:F2} bytes allocated per append ({allocated} bytes total)");
    }

    private static async Task<long> MeasureAsync(WriteAheadJournal journal)
    {
        await RunAsync(journal, 1000); // warm up: pool, queues, JIT
        long before = GC.GetTotalAllocatedBytes(precise: true);
        await RunAsync(journal, PerAppender);
        return GC.GetTotalAllocatedBytes(precise: true) - before;
    }

    private static async Task RunAsync(WriteAheadJournal journal, int count)
    {
        var payload = new byte[100];
        var workers = new Task[Appenders];
        for (int a = 0; a < Appenders; a++)
        {
            workers[a] = LoopAsync(journal, payload, count);
        }

        await Task.WhenAll(workers);
    }

    private static async Task LoopAsync(WriteAheadJournal journal, byte[] payload, int count)
    {
        await Task.Yield();
        for (int i = 0; i < count; i++)
        {
            await journal.AppendAsync(1, payload);
        }
    }
}
