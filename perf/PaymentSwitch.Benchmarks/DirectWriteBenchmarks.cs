using BenchmarkDotNet.Attributes;
using Microsoft.Win32.SafeHandles;
using PaymentSwitch.Journal.Internal;

namespace PaymentSwitch.Benchmarks;

/// <summary>
/// Why Strict appends are direct writes (<c>JournalOptions.DirectWrites</c>): one group commit of the switch at
/// 50,000 authorisations/s (4,608 bytes, about 22 records, not a whole number of blocks) made durable at increasing
/// offsets of a zero-filled segment-like file, either written through the page cache and fdatasync'd, or written with
/// O_DIRECT | O_DSYNC by <see cref="DirectSegmentWriter"/> (which also rewrites the partial last block each time). A
/// fresh file per iteration.
/// </summary>
public class DirectWriteBenchmarks
{
    private const int Appends = 200;
    private const int AppendBytes = 4608;
    private const long FileBytes = 4L * 1024 * 1024;

    private readonly byte[] _batch = new byte[AppendBytes];
    private string _directory = "";
    private string _path = "";
    private SafeFileHandle _file = null!;
    private DirectSegmentWriter _direct = null!;
    private long _offset;

    [GlobalSetup]
    public void Setup()
    {
        _directory = BenchmarkFiles.NewDirectory("direct-write-bench");
        new Random(1).NextBytes(_batch);
        _direct = DirectSegmentWriter.TryCreate(AppendBytes) ?? throw new PlatformNotSupportedException("direct writes need Linux x64 or arm64");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _direct.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [IterationSetup]
    public void NewZeroFilledFile()
    {
        _path = Path.Combine(_directory, Guid.NewGuid().ToString("N"));
        _file = BenchmarkFiles.CreateSegmentLike(_path, FileBytes, zeroFill: true);
        _offset = 0;
        if (!_direct.TryAttach(_path, 0, FileBytes)) throw new InvalidOperationException($"the file system under {_directory} refuses direct I/O");
    }

    [IterationCleanup]
    public void CloseFile()
    {
        _direct.Detach();
        _file.Dispose();
        File.Delete(_path);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Appends)]
    public void Write_then_fdatasync() => BenchmarkFiles.AppendWithFdatasync(_file, _path, _batch, ref _offset, Appends);

    [Benchmark(OperationsPerInvoke = Appends)]
    public void Direct_dsync_write()
    {
        for (int i = 0; i < Appends; i++)
        {
            _direct.Write(_batch, _offset);
            _offset += AppendBytes;
        }
    }
}
