using System.Buffers.Binary;
using System.Text;

namespace PaymentSwitch.Core.Durability;

/// <summary>Reads what <see cref="RecordWriter"/> wrote; every read is bounds-checked and fails cleanly on short data.</summary>
internal ref struct RecordReader(ReadOnlySpan<byte> source)
{
    private readonly ReadOnlySpan<byte> _source = source;
    private int _position;

    public bool Failed { get; private set; }

    private bool Has(int bytes)
    {
        if (!Failed && _source.Length - _position >= bytes) return true;
        Failed = true;
        return false;
    }

    public byte U8() => Has(1) ? _source[_position++] : (byte)0;

    public int U16()
    {
        if (!Has(2)) return 0;
        int v = BinaryPrimitives.ReadUInt16LittleEndian(_source[_position..]);
        _position += 2;
        return v;
    }

    public int I32()
    {
        if (!Has(4)) return 0;
        int v = BinaryPrimitives.ReadInt32LittleEndian(_source[_position..]);
        _position += 4;
        return v;
    }

    public long I64()
    {
        if (!Has(8)) return 0;
        long v = BinaryPrimitives.ReadInt64LittleEndian(_source[_position..]);
        _position += 8;
        return v;
    }

    public ReadOnlySpan<byte> Bytes()
    {
        int length = U8();
        if (!Has(length)) return default;
        ReadOnlySpan<byte> v = _source.Slice(_position, length);
        _position += length;
        return v;
    }

    public string Text() => Encoding.ASCII.GetString(Bytes());
}
