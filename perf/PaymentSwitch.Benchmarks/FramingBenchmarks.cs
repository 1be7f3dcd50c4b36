using System.Buffers;
using BenchmarkDotNet.Attributes;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Benchmarks;

/// <summary>Finding frames in a receive buffer: 64 frames of ~200 bytes, in one segment and split over 512-byte segments.</summary>
[MemoryDiagnoser]
public class FramingBenchmarks
{
    private const int Frames = 64;
    private readonly Framing _framing = new(FrameHeader.Len2);
    private ReadOnlySequence<byte> _single;
    private ReadOnlySequence<byte> _segmented;

    [GlobalSetup]
    public void Setup()
    {
        byte[] data = new byte[Frames * 202];
        for (int i = 0; i < Frames; i++)
        {
            data[i * 202] = 0;
            data[(i * 202) + 1] = 200;
        }
        _single = new ReadOnlySequence<byte>(data);
        _segmented = BenchmarkSegment.Split(data, 512);
    }

    [Benchmark(OperationsPerInvoke = Frames)]
    public long ReadFramesSingleSegment() => ReadAll(_single);

    [Benchmark(OperationsPerInvoke = Frames)]
    public long ReadFramesMultiSegment() => ReadAll(_segmented);

    private long ReadAll(ReadOnlySequence<byte> buffer)
    {
        long total = 0;
        while (_framing.TryReadFrame(ref buffer, out ReadOnlySequence<byte> message, out _, out _) == FrameStatus.Complete)
            total += message.Length;
        return total;
    }
}

internal sealed class BenchmarkSegment : ReadOnlySequenceSegment<byte>
{
    private BenchmarkSegment(ReadOnlyMemory<byte> memory, long index)
    {
        Memory = memory;
        RunningIndex = index;
    }

    public static ReadOnlySequence<byte> Split(byte[] data, int size)
    {
        var first = new BenchmarkSegment(data.AsMemory(0, Math.Min(size, data.Length)), 0);
        BenchmarkSegment last = first;
        for (int offset = size; offset < data.Length; offset += size)
        {
            var next = new BenchmarkSegment(data.AsMemory(offset, Math.Min(size, data.Length - offset)), offset);
            last.Next = next;
            last = next;
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
