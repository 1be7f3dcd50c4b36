using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Microsoft.Win32.SafeHandles;
using PaymentSwitch.Journal;
using PaymentSwitch.Journal.Internal;

namespace PaymentSwitch.Benchmarks;

/// <summary>
/// Append-to-durable latency (Strict, 64 concurrent appenders) beside the disk's own write+fdatasync loop, in the
/// same run. One operation = one record (or one write+fdatasync for the baseline). Per-operation latency percentiles
/// (p50/p99/p99.9) are printed at cleanup as "journal-latency" lines; the first invocation (JIT) is not sampled.
/// </summary>
[MemoryDiagnoser]
public class JournalLatencyBenchmarks
{
    private const int Appenders = 64;
    private const int PerAppender = 500;
    private const int Records = Appenders * PerAppender;
    private const int BaselineSyncs = 300;
    private const int RecordSizeBytes = 28 + 200;

    private readonly byte[] _payload = new byte[200];
    private readonly Task[] _workers = new Task[Appenders];
    private readonly JournalLatencyRecorder _appendLatency = new(4_000_000);
    private readonly JournalLatencyRecorder _syncLatency = new(1_000_000);
    private string _directory = "";
    private WriteAheadJournal _journal = null!;
    private SafeFileHandle _baselineFile = null!;
    private long _baselineOffset;
    private int _invocations;

    [GlobalSetup(Target = nameof(Journal_strict_append_to_durable))]
    public void SetupJournal()
    {
        _directory = BenchmarkFiles.NewDirectory("journal-bench");
        _journal = WriteAheadJournal.Open(new JournalOptions { Directory = _directory, MinFreeBytes = 0 }, null, out _);
    }

    [GlobalSetup(Target = nameof(Disk_write_fdatasync_loop))]
    public void SetupBaseline()
    {
        _directory = BenchmarkFiles.NewDirectory("journal-bench");
        string path = Path.Combine(_directory, "baseline.dat");
        _baselineFile = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite);
        NativeMethods.Preallocate(_baselineFile, 256L * 1024 * 1024); // like a journal segment
    }

    [GlobalCleanup(Target = nameof(Journal_strict_append_to_durable))]
    public async Task CleanupJournal()
    {
        JournalStats s = _journal.GetStats();
        Console.WriteLine(_appendLatency.Summary("strict-append-64"));
        Console.WriteLine($"journal-stats strict records={s.RecordsAppended} fsyncs={s.FsyncCount} records/fsync={s.RecordsPerFsyncMean:F1} " +
            $"fsync-mean-us={s.FsyncLatencyMeanMicroseconds:F0} fsync-max-us={s.FsyncLatencyMaxMicroseconds:F0}");
        await _journal.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [GlobalCleanup(Target = nameof(Disk_write_fdatasync_loop))]
    public void CleanupBaseline()
    {
        Console.WriteLine(_syncLatency.Summary("write+fdatasync"));
        _baselineFile.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = BaselineSyncs)]
    public void Disk_write_fdatasync_loop()
    {
        bool sample = ++_invocations > 1;
        for (int i = 0; i < BaselineSyncs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            RandomAccess.Write(_baselineFile, _payload.AsSpan(), _baselineOffset);
            NativeMethods.SyncData(_baselineFile, "baseline.dat");
            if (sample)
            {
                _syncLatency.Record(Stopwatch.GetTimestamp() - start);
            }

            _baselineOffset = (_baselineOffset + RecordSizeBytes) % (255L * 1024 * 1024);
        }
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public Task Journal_strict_append_to_durable()
    {
        bool sample = ++_invocations > 1;
        for (int a = 0; a < Appenders; a++)
        {
            _workers[a] = AppendLoop(sample);
        }

        return Task.WhenAll(_workers);
    }

    private async Task AppendLoop(bool sample)
    {
        await Task.Yield();
        for (int i = 0; i < PerAppender; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await _journal.AppendAsync(1, _payload);
            if (sample)
            {
                _appendLatency.Record(Stopwatch.GetTimestamp() - start);
            }
        }
    }
}
