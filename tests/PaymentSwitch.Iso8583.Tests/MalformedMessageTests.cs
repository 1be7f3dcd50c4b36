using PaymentSwitch.Iso8583.Tests.Support;

namespace PaymentSwitch.Iso8583.Tests;

/// <summary>Each malformed case gives its own error kind, the field number and the offset, through the Try API.</summary>
public class MalformedMessageTests
{
    // 0100: DE2 (LL), DE4 (n 12), DE11 (n 6)  →  bitmap 50 20 00 00 00 00 00 00
    private static readonly byte[] Valid = Hex.Concat(
        Hex.Ascii("0100"), Hex.Parse("50 20 00 00 00 00 00 00"),
        Hex.Ascii("16" + "4761739001010010"), Hex.Ascii("000000001000"), Hex.Ascii("123456"));

    private const int De2Prefix = 4 + 8;           // offset of DE2's length prefix
    private const int De4 = De2Prefix + 2 + 16;    // offset of DE4

    private static ParseError Parse(byte[] bytes, Dialect? dialect = null, IsoMessage? message = null)
    {
        message ??= new IsoMessage();
        Assert.False(message.TryParse(bytes, dialect ?? TestDialects.Ascii, out ParseError error));
        Assert.True(error.IsError);
        return error;
    }

    private static byte[] With(byte[] source, int offset, string ascii)
    {
        byte[] copy = (byte[])source.Clone();
        Hex.Ascii(ascii).CopyTo(copy, offset);
        return copy;
    }

    [Fact]
    public void The_valid_base_message_parses()
    {
        Assert.True(new IsoMessage().TryParse(Valid, TestDialects.Ascii, out ParseError error), error.ToString());
    }

    [Fact]
    public void Truncated_inside_a_fixed_field_names_the_field()
    {
        ParseError error = Parse(Valid[..(De4 + 5)]);
        Assert.Equal(new ParseError(ParseErrorKind.Truncated, 4, De4), error);
        Assert.Contains("field 4", error.ToString());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(11)]
    public void Truncated_inside_the_header(int length)
    {
        Assert.Equal(ParseErrorKind.Truncated, Parse(Valid[..length]).Kind);
    }

    [Fact]
    public void Truncated_inside_a_length_prefix()
    {
        Assert.Equal(new ParseError(ParseErrorKind.Truncated, 2, De2Prefix), Parse(Valid[..(De2Prefix + 1)]));
    }

    [Fact]
    public void Length_prefix_larger_than_the_field_maximum()
    {
        Assert.Equal(new ParseError(ParseErrorKind.LengthExceedsMaximum, 2, De2Prefix), Parse(With(Valid, De2Prefix, "20")));
    }

    [Fact]
    public void Length_prefix_larger_than_the_frame()
    {
        byte[] bytes = Hex.Concat(Hex.Ascii("0100"), Hex.Parse("40 00 00 00 00 00 00 00"), Hex.Ascii("19" + "4761739001"));
        Assert.Equal(new ParseError(ParseErrorKind.LengthExceedsFrame, 2, De2Prefix + 2), Parse(bytes));
    }

    [Fact]
    public void Non_digit_in_a_length_prefix()
    {
        Assert.Equal(new ParseError(ParseErrorKind.InvalidLengthPrefix, 2, De2Prefix), Parse(With(Valid, De2Prefix, "1A")));
    }

    [Fact]
    public void Non_digit_in_a_numeric_field_points_at_the_character()
    {
        ParseError error = Parse(With(Valid, De4 + 11, "A"));
        Assert.Equal(new ParseError(ParseErrorKind.InvalidCharacter, 4, De4 + 11), error);
        Assert.Contains("field 4", error.ToString());
    }

    [Fact]
    public void Non_digit_in_a_variable_numeric_field()
    {
        Assert.Equal(new ParseError(ParseErrorKind.InvalidCharacter, 2, De2Prefix + 2 + 3), Parse(With(Valid, De2Prefix + 2 + 3, " ")));
    }

    [Fact]
    public void Bitmap_bit_for_a_field_the_dialect_does_not_define()
    {
        var narrow = new Dialect("narrow", MtiEncoding.Ascii, BitmapEncoding.Binary,
            TestDialects.Ascii.Fields.Where(f => f.Number != 4));
        Assert.Equal(new ParseError(ParseErrorKind.UndefinedField, 4, De4), Parse(Valid, narrow));
    }

    [Fact]
    public void Missing_secondary_bitmap()
    {
        byte[] bytes = Hex.Concat(Hex.Ascii("0800"), Hex.Parse("82 20 00 00 00 00 00 00"), Hex.Parse("04 00 00"));
        Assert.Equal(new ParseError(ParseErrorKind.MissingSecondaryBitmap, 1, 12), Parse(bytes));
    }

    [Fact]
    public void Trailing_bytes_after_the_last_field()
    {
        Assert.Equal(new ParseError(ParseErrorKind.TrailingBytes, 0, Valid.Length), Parse(Hex.Concat(Valid, Hex.Ascii("X"))));
    }

    [Fact]
    public void Invalid_mti_and_the_mti_is_kept_when_it_was_valid()
    {
        var message = new IsoMessage();
        Assert.Equal(ParseErrorKind.InvalidMti, Parse(With(Valid, 0, "01A0"), message: message).Kind);
        Assert.Equal(-1, message.Mti);

        Parse(With(Valid, De4, "X"), message: message);
        Assert.Equal(100, message.Mti); // so the caller can answer 0110 with DE39 = 30
    }

    [Fact]
    public void Bcd_numeric_with_a_nibble_above_nine()
    {
        byte[] bytes = Hex.Concat(Hex.Parse("01 00"), Hex.Parse("10 00 00 00 00 00 00 00"), Hex.Parse("00 00 00 00 1A 00"));
        Assert.Equal(new ParseError(ParseErrorKind.InvalidCharacter, 4, 10 + 4), Parse(bytes, TestDialects.Bcd));
    }

    [Fact]
    public void Bcd_odd_length_with_a_non_zero_pad_nibble()
    {
        // DE32, 5 digits: the leading pad nibble must be zero.
        byte[] bytes = Hex.Concat(Hex.Parse("01 00"), Hex.Parse("00 00 00 01 00 00 00 00"), Hex.Parse("05 91 23 45"));
        Assert.Equal(new ParseError(ParseErrorKind.InvalidCharacter, 32, 11), Parse(bytes, TestDialects.Bcd));
    }

    [Fact]
    public void Bcd_length_prefix_with_a_non_decimal_nibble()
    {
        byte[] bytes = Hex.Concat(Hex.Parse("01 00"), Hex.Parse("40 00 00 00 00 00 00 00"), Hex.Parse("1A 47 61 73 90 01 01 00 10"));
        Assert.Equal(new ParseError(ParseErrorKind.InvalidLengthPrefix, 2, 10), Parse(bytes, TestDialects.Bcd));
    }

    [Fact]
    public void Hex_bitmap_with_a_non_hex_character()
    {
        byte[] bytes = Hex.Concat(Hex.Parse("F0 F1 F0 F0"), Hex.Ascii("G000000000000000"));
        Assert.Equal(new ParseError(ParseErrorKind.InvalidBitmap, 0, 4), Parse(bytes, TestDialects.Ebcdic));
    }

    [Fact]
    public void Ebcdic_field_with_a_byte_that_has_no_printable_meaning()
    {
        // DE41 (ans 8) holding 0x00.
        byte[] bytes = Hex.Concat(Hex.Parse("F0 F1 F0 F0"), Hex.Ascii("0000000000800000"), Hex.Parse("E3 C5 D9 D4 00 F0 F0 F1"));
        Assert.Equal(new ParseError(ParseErrorKind.InvalidCharacter, 41, 20 + 4), Parse(bytes, TestDialects.Ebcdic));
    }

    [Fact]
    public void Parse_error_text_never_contains_field_content()
    {
        ParseError error = Parse(With(Valid, De4, "X"));
        Assert.DoesNotContain("4761739001010010", error.ToString());
    }
}
