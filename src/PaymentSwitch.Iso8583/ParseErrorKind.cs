namespace PaymentSwitch.Iso8583;

/// <summary>Why a frame is not a valid message of its dialect.</summary>
public enum ParseErrorKind : byte
{
    None = 0,
    /// <summary>The frame ends inside the MTI, a bitmap, a length prefix or a fixed-length field.</summary>
    Truncated,
    /// <summary>The MTI holds something other than four decimal digits.</summary>
    InvalidMti,
    /// <summary>A hexadecimal bitmap holds a character that is not a hex digit.</summary>
    InvalidBitmap,
    /// <summary>Bit 1 says a secondary bitmap follows, but the frame ends before it.</summary>
    MissingSecondaryBitmap,
    /// <summary>A bitmap bit is set for a field the dialect does not define.</summary>
    UndefinedField,
    /// <summary>A length prefix holds something other than decimal digits.</summary>
    InvalidLengthPrefix,
    /// <summary>A length prefix is larger than the field's maximum length.</summary>
    LengthExceedsMaximum,
    /// <summary>A length prefix is larger than what is left of the frame.</summary>
    LengthExceedsFrame,
    /// <summary>A field holds a character its content type does not allow (a non-digit in a numeric field, …).</summary>
    InvalidCharacter,
    /// <summary>Bytes are left over after the last field the bitmaps announce.</summary>
    TrailingBytes,
}
