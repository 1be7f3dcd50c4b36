using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace PaymentSwitch.LoadTest.Internal;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over one preallocated array: the send batch of a connection. It never grows; the
/// caller checks <see cref="FreeBytes"/> before writing a frame, and a request that does not fit waits for the next
/// batch.
/// </summary>
internal sealed class FixedBufferWriter(int capacityBytes) : IBufferWriter<byte>
{
    private readonly byte[] _buffer = new byte[capacityBytes];
    private int _written;

    public int WrittenCount => _written;

    public int FreeBytes => _buffer.Length - _written;

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public void Clear() => _written = 0;

    public void Advance(int count)
    {
        Debug.Assert(count >= 0 && _written + count <= _buffer.Length, "advance within the buffer");
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        if (sizeHint > FreeBytes) ThrowFull(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        if (sizeHint > FreeBytes) ThrowFull(sizeHint);
        return _buffer.AsSpan(_written);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    [DoesNotReturn]
    private void ThrowFull(int sizeHint)
        => throw new InvalidOperationException($"The send batch has {FreeBytes} bytes free; {sizeHint} were asked for.");
}
