namespace PaymentSwitch.Iso8583.Emv;

/// <summary>Why BER-TLV data is malformed.</summary>
public enum TlvErrorKind : byte
{
    None = 0,
    /// <summary>The data ends inside a multi-byte tag.</summary>
    TruncatedTag,
    /// <summary>A tag is longer than 4 bytes.</summary>
    TagTooLong,
    /// <summary>The data ends inside a length.</summary>
    TruncatedLength,
    /// <summary>The indefinite length form (0x80), not allowed in EMV.</summary>
    IndefiniteLength,
    /// <summary>A long-form length of more than 3 bytes, or a length beyond what a field can hold.</summary>
    LengthTooLong,
    /// <summary>The length runs past the end of the data (or of the enclosing template).</summary>
    ValueExceedsData,
    /// <summary>Templates are nested deeper than the reader allows.</summary>
    NestingTooDeep,
}
