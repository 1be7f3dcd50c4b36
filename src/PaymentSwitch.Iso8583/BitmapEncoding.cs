namespace PaymentSwitch.Iso8583;

/// <summary>How the primary and secondary bitmaps are written.</summary>
public enum BitmapEncoding : byte
{
    /// <summary>8 raw bytes per bitmap, most significant bit first (bit 1 is 0x80 of the first byte).</summary>
    Binary,
    /// <summary>16 hexadecimal ASCII characters per bitmap.</summary>
    Hex,
}
