namespace PaymentSwitch.Iso8583.Emv;

/// <summary>Why and where BER-TLV reading stopped (offset from the start of the data given to the reader).</summary>
public readonly record struct TlvError(TlvErrorKind Kind, int Offset, uint Tag)
{
    public bool IsError => Kind != TlvErrorKind.None;

    public override string ToString()
    {
        string why = Kind switch
        {
            TlvErrorKind.TruncatedTag => "the data ends inside a tag",
            TlvErrorKind.TagTooLong => "a tag is longer than 4 bytes",
            TlvErrorKind.TruncatedLength => "the data ends inside a length",
            TlvErrorKind.IndefiniteLength => "indefinite length (0x80) is not allowed in EMV",
            TlvErrorKind.LengthTooLong => "the length field is longer than 3 bytes",
            TlvErrorKind.ValueExceedsData => "the value runs past the end of the data",
            TlvErrorKind.NestingTooDeep => "templates are nested too deep",
            _ => "no error",
        };
        return Tag != 0 ? $"EMV tag {Tag:X}: {why} (at byte {Offset})" : $"EMV data: {why} (at byte {Offset})";
    }
}
