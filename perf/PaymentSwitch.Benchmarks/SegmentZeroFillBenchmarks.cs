using BenchmarkDotNet.Attributes;
using Microsoft.Win32.SafeHandles;
using PaymentSwitch.Journal.Internal;

namespace PaymentSwitch.Benchmarks;

/// <summary>
/// Why the journal zero-fills its next segment (<c>JournalOptions.ZeroFillSegments</c>): one group commit's write
/// (8 KiB, about 60 records) plus fdatasync, appended at increasing offsets of a segment-like file whose blocks were
/// either only preallocated (posix_fallocate: each fdatasync must also record that the blocks now hold data) or
/// written with zeros and synced beforehand (each fdatasync flushes data only). A fresh file per iteration, so no
/// block is written twice.
/// </summary>
public class SegmentZeroFillBenchmarks
{
    private const int Appends = 200;
    private const int AppendBytes = 8192;
    private const long FileBytes = 4L * 1024 * 1024;

    private readonly byte[] _batch = new byte[AppendBytes];
    private string _directory = "";
    private SafeFileHandle _file = null!;
    private long _offset;

    [GlobalSetup]
    public void Setup()
    {
        _directory = BenchmarkFiles.NewDirectory("zero-fill-bench");
        new Random(1).NextBytes(_batch);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    [IterationSetup(Target = nameof(Append_fdatasync_into_preallocated_blocks))]
    public void NewPreallocatedFile() => NewFile(zeroFill: false);

    [IterationSetup(Target = nameof(Append_fdatasync_into_zero_filled_blocks))]
    public void NewZeroFilledFile() => NewFile(zeroFill: true);

    [IterationCleanup]
    public void CloseFile() => _file.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Appends)]
    public void Append_fdatasync_into_preallocated_blocks() => AppendAll();

    [Benchmark(OperationsPerInvoke = Appends)]
    public void Append_fdatasync_into_zero_filled_blocks() => AppendAll();

    private void AppendAll() => BenchmarkFiles.AppendWithFdatasync(_file, "bench", _batch, ref _offset, Appends);

    private void NewFile(bool zeroFill)
    {
        string path = Path.Combine(_directory, Guid.NewGuid().ToString("N"));
        _file = BenchmarkFiles.CreateSegmentLike(path, FileBytes, zeroFill, FileOptions.DeleteOnClose);
        _offset = 0;
    }
}
