namespace PaymentSwitch.Iso8583.Emv;

/// <summary>One BER-TLV data object: its tag (the tag bytes as a big-endian number, e.g. 0x9F02), and its value.</summary>
public readonly ref struct TlvElement
{
    public TlvElement(uint tag, int offset, int valueOffset, ReadOnlySpan<byte> value)
    {
        Tag = tag;
        Offset = offset;
        ValueOffset = valueOffset;
        Value = value;
    }

    /// <summary>The tag bytes as a big-endian number: <c>9F02</c> is 0x9F02, <c>5A</c> is 0x5A.</summary>
    public uint Tag { get; }

    /// <summary>Offset of the tag from the start of the data given to the reader.</summary>
    public int Offset { get; }

    /// <summary>Offset of the value from the start of the data given to the outermost reader.</summary>
    public int ValueOffset { get; }

    public ReadOnlySpan<byte> Value { get; }

    /// <summary>True when the value is itself a list of data objects (a template: bit 6 of the first tag byte).</summary>
    public bool IsConstructed => (FirstTagByte & 0x20) != 0;

    private byte FirstTagByte
    {
        get
        {
            uint t = Tag;
            while (t > 0xFF) t >>= 8;
            return (byte)t;
        }
    }

    /// <summary>A reader over the nested data objects of a template.</summary>
    public TlvReader ReadChildren() => new(Value, ValueOffset);
}
