namespace PaymentSwitch.Iso8583;

/// <summary>
/// Why and where parsing stopped: the kind, the field number (0 for the MTI and bitmaps) and the byte offset in the
/// message. A value type, so reporting it costs nothing on the hot path; <see cref="ToString"/> renders it for logs.
/// It never holds field content, so it never carries a card number.
/// </summary>
public readonly record struct ParseError(ParseErrorKind Kind, int Field, int Offset)
{
    public static ParseError None => default;

    public bool IsError => Kind != ParseErrorKind.None;

    public override string ToString()
    {
        string where = Field > 0 ? $"field {Field}" : "message header";
        string why = Kind switch
        {
            ParseErrorKind.None => "no error",
            ParseErrorKind.Truncated => "the frame ends before the data it announces",
            ParseErrorKind.InvalidMti => "the MTI is not four decimal digits",
            ParseErrorKind.InvalidBitmap => "the bitmap is not valid hexadecimal",
            ParseErrorKind.MissingSecondaryBitmap => "bit 1 announces a secondary bitmap that is missing",
            ParseErrorKind.UndefinedField => "the bitmap announces a field this dialect does not define",
            ParseErrorKind.InvalidLengthPrefix => "the length prefix is not decimal digits",
            ParseErrorKind.LengthExceedsMaximum => "the length prefix exceeds the field's maximum length",
            ParseErrorKind.LengthExceedsFrame => "the length prefix exceeds the rest of the frame",
            ParseErrorKind.InvalidCharacter => "a character is not allowed by the field's content type",
            ParseErrorKind.TrailingBytes => "bytes follow the last field",
            _ => Kind.ToString(),
        };
        return $"{where}: {why} (at byte {Offset})";
    }
}
