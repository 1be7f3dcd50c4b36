namespace PaymentSwitch.Iso8583.Emv;

/// <summary>
/// Reads BER-TLV data objects (EMV ICC data, DE55) one at a time without copying: tags of 1–4 bytes, short and
/// long-form lengths (up to 3 length bytes), 0x00 padding between objects skipped. Malformed data stops the reader
/// with a <see cref="TlvError"/>; it never throws and never reads outside the data.
/// </summary>
public ref struct TlvReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;
    private readonly int _baseOffset;

    public TlvReader(ReadOnlySpan<byte> data) : this(data, 0) { }

    internal TlvReader(ReadOnlySpan<byte> data, int baseOffset)
    {
        _data = data;
        _baseOffset = baseOffset;
        _position = 0;
    }

    /// <summary>Bytes consumed so far.</summary>
    public readonly int Position => _position;

    /// <summary>
    /// Reads the next data object. False at the end of the data (with <paramref name="error"/> None) or on malformed
    /// data (with <paramref name="error"/> saying why); after an error the reader stays where it failed.
    /// </summary>
    public bool TryRead(out TlvElement element, out TlvError error)
    {
        element = default;
        error = default;
        int pos = _position;
        while (pos < _data.Length && _data[pos] == 0x00) pos++; // padding between data objects
        if (pos >= _data.Length)
        {
            _position = pos;
            return false;
        }

        int start = pos;
        uint tag = _data[pos++];
        if ((tag & 0x1F) == 0x1F)
        {
            int tagBytes = 1;
            while (true)
            {
                if (pos >= _data.Length) return Fail(out error, TlvErrorKind.TruncatedTag, start, 0);
                if (++tagBytes > 4) return Fail(out error, TlvErrorKind.TagTooLong, start, 0);
                byte b = _data[pos++];
                tag = (tag << 8) | b;
                if ((b & 0x80) == 0) break;
            }
        }

        if (pos >= _data.Length) return Fail(out error, TlvErrorKind.TruncatedLength, start, tag);
        int length = _data[pos++];
        if (length == 0x80) return Fail(out error, TlvErrorKind.IndefiniteLength, start, tag);
        if (length > 0x80)
        {
            int count = length & 0x7F;
            if (count > 3) return Fail(out error, TlvErrorKind.LengthTooLong, start, tag);
            if (_data.Length - pos < count) return Fail(out error, TlvErrorKind.TruncatedLength, start, tag);
            length = 0;
            for (int i = 0; i < count; i++) length = (length << 8) | _data[pos++];
        }
        if (_data.Length - pos < length) return Fail(out error, TlvErrorKind.ValueExceedsData, start, tag);

        element = new TlvElement(tag, _baseOffset + start, _baseOffset + pos, _data.Slice(pos, length));
        _position = pos + length;
        return true;
    }

    private readonly bool Fail(out TlvError error, TlvErrorKind kind, int offset, uint tag)
    {
        error = new TlvError(kind, _baseOffset + offset, tag);
        return false;
    }

    /// <summary>Walks all of <paramref name="data"/>, templates included, at most <paramref name="maxDepth"/> templates deep; reports the first problem.</summary>
    public static bool Validate(ReadOnlySpan<byte> data, out TlvError error, int maxDepth = 8)
        => ValidateLevel(new TlvReader(data), 0, maxDepth, out error);

    private static bool ValidateLevel(TlvReader reader, int depth, int maxDepth, out TlvError error)
    {
        while (reader.TryRead(out TlvElement element, out error))
        {
            if (!element.IsConstructed) continue;
            if (depth + 1 > maxDepth)
            {
                error = new TlvError(TlvErrorKind.NestingTooDeep, element.Offset, element.Tag);
                return false;
            }
            if (!ValidateLevel(element.ReadChildren(), depth + 1, maxDepth, out error)) return false;
        }
        return !error.IsError;
    }
}
