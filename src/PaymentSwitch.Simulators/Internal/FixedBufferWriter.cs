using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace PaymentSwitch.Simulators.Internal;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over a caller's fixed array (a delayed answer's slot). Reused: <see cref="Reset"/>
/// points it at the next array. Asking for more room than is left is a programming error.
/// </summary>
internal sealed class FixedBufferWriter : IBufferWriter<byte>
{
    private byte[] _buffer = [];

    public int Written { get; private set; }

    public void Reset(byte[] buffer)
    {
        _buffer = buffer;
        Written = 0;
    }

    public void Advance(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - Written)) ThrowTooLarge(count);
        Written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        if (sizeHint > _buffer.Length - Written) ThrowTooLarge(sizeHint);
        return _buffer.AsMemory(Written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        if (sizeHint > _buffer.Length - Written) ThrowTooLarge(sizeHint);
        return _buffer.AsSpan(Written);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    [DoesNotReturn]
    private void ThrowTooLarge(int requested)
        => throw new InvalidOperationException($"An answer needs {requested} bytes but its buffer has {_buffer.Length - Written} left.");
}
