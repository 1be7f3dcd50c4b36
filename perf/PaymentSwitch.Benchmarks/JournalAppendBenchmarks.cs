using BenchmarkDotNet.Attributes;
using PaymentSwitch.Journal;

namespace PaymentSwitch.Benchmarks;

/// <summary>
/// Journal append throughput with 64 concurrent appenders, per durability mode, on the real disk (temp directory).
/// One operation = one record appended and completed (durable in Strict), so records/s = 1e9 / Mean(ns).
/// Records per fsync is printed at cleanup ("journal-stats" line).
/// </summary>
[MemoryDiagnoser]
public class JournalAppendBenchmarks
{
    private const int Appenders = 64;
    private const int PerAppender = 500;
    private const int Records = Appenders * PerAppender;

    private readonly byte[] _payload = new byte[200];
    private readonly Task[] _workers = new Task[Appenders];
    private string _directory = "";
    private WriteAheadJournal _journal = null!;

    [Params(DurabilityMode.Strict, DurabilityMode.Batched, DurabilityMode.None)]
    public DurabilityMode Mode { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "journal-bench-" + Guid.NewGuid().ToString("N")[..8]);
        _journal = WriteAheadJournal.Open(
            new JournalOptions
            {
                Directory = _directory,
                Durability = Mode,
                AllowUnsafeDurabilityNone = Mode == DurabilityMode.None,
                MinFreeBytes = 0,
                SegmentSizeBytes = 64L * 1024 * 1024,
            },
            null,
            out _);
        new Random(1).NextBytes(_payload);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        JournalStats s = _journal.GetStats();
        Console.WriteLine($"journal-stats mode={Mode} records={s.RecordsAppended} fsyncs={s.FsyncCount} records/fsync={s.RecordsPerFsyncMean:F1} " +
            $"fsync-mean-us={s.FsyncLatencyMeanMicroseconds:F0} fsync-max-us={s.FsyncLatencyMaxMicroseconds:F0} segments={s.SegmentCount}");
        await _journal.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public Task Append_64_concurrent_appenders()
    {
        for (int a = 0; a < Appenders; a++)
        {
            _workers[a] = AppendLoop();
        }

        return Task.WhenAll(_workers);
    }

    private async Task AppendLoop()
    {
        await Task.Yield();
        for (int i = 0; i < PerAppender; i++)
        {
            await _journal.AppendAsync(1, _payload);
        }
    }
}
