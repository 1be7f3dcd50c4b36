using System.Buffers.Binary;

namespace PaymentSwitch.Core.Durability;

/// <summary>Writes a journal record payload field by field into a span (little-endian numbers, length-prefixed text).</summary>
internal ref struct RecordWriter(Span<byte> destination)
{
    private readonly Span<byte> _destination = destination;
    private int _position;

    public readonly int Length => _position;

    public void U8(byte value) => _destination[_position++] = value;

    public void U16(int value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_destination[_position..], (ushort)value);
        _position += 2;
    }

    public void I32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_destination[_position..], value);
        _position += 4;
    }

    public void I64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_destination[_position..], value);
        _position += 8;
    }

    /// <summary>Up to 255 bytes, prefixed by their length.</summary>
    public void Bytes(scoped ReadOnlySpan<byte> value)
    {
        int length = Math.Min(value.Length, 255);
        _destination[_position++] = (byte)length;
        value[..length].CopyTo(_destination[_position..]);
        _position += length;
    }

    /// <summary>Reserves a length-prefixed field of up to 255 bytes to be filled by the caller; returns its span.</summary>
    public Span<byte> ReserveBytes(int length)
    {
        _destination[_position++] = (byte)length;
        Span<byte> span = _destination.Slice(_position, length);
        _position += length;
        return span;
    }

    public void Text(string value)
    {
        Span<byte> bytes = ReserveBytes(Math.Min(value.Length, 255));
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)value[i];
    }
}
