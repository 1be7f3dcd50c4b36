namespace PaymentSwitch.Iso8583;

/// <summary>How a field's content (or its length prefix) is represented on the wire.</summary>
public enum FieldEncoding : byte
{
    /// <summary>One ASCII character per byte.</summary>
    Ascii,
    /// <summary>Two decimal digits per byte (packed BCD).</summary>
    Bcd,
    /// <summary>Raw bytes; for a length prefix, a big-endian unsigned integer.</summary>
    Binary,
    /// <summary>One EBCDIC (code page 037) character per byte.</summary>
    Ebcdic,
}
