using PaymentSwitch.Iso8583.Tests.Support;

namespace PaymentSwitch.Iso8583.Tests;

/// <summary>Hand-built frames, checked byte for byte in both directions (parse the bytes; build the same bytes).</summary>
public class KnownAnswerTests
{
    // 0100 with DE2, 3, 4, 7, 11, 32 (odd length), 35 (track 2, odd length), 41, 49.
    // Bitmap: byte1 DE2 0x40|DE3 0x20|DE4 0x10|DE7 0x02 = 72; byte2 DE11 = 20; byte4 DE32 = 01; byte5 DE35 = 20;
    // byte6 DE41 = 80; byte7 DE49 = 80.
    private static readonly byte[] Ascii0100 = Hex.Concat(
        Hex.Ascii("0100"),
        Hex.Parse("72 20 00 01 20 80 80 00"),
        Hex.Ascii("16" + "4761739001010010"),
        Hex.Ascii("000000"),
        Hex.Ascii("000000001000"),
        Hex.Ascii("1122103000"),
        Hex.Ascii("123456"),
        Hex.Ascii("05" + "12345"),
        Hex.Ascii("21" + "4761739001010010=2512"),
        Hex.Ascii("TERM0001"),
        Hex.Ascii("978"));

    private static readonly byte[] Bcd0100 = Hex.Concat(
        Hex.Parse("01 00"),
        Hex.Parse("72 20 00 01 20 80 80 00"),
        Hex.Parse("16  47 61 73 90 01 01 00 10"),      // LL in BCD, 16 digits packed
        Hex.Parse("00 00 00"),
        Hex.Parse("00 00 00 00 10 00"),
        Hex.Parse("11 22 10 30 00"),
        Hex.Parse("12 34 56"),
        Hex.Parse("05  01 23 45"),                     // 5 digits: right-aligned, leading zero nibble
        Hex.Parse("21  47 61 73 90 01 01 00 10 D2 51 2F"), // track 2: separator D, left-aligned, F pad
        Hex.Ascii("TERM0001"),
        Hex.Ascii("978"));

    // 0800 echo: DE7, DE11 in the primary bitmap, DE70 in the secondary (bit 1 set): 82 20 …; secondary 04 00 ….
    private static readonly byte[] Ascii0800 = Hex.Concat(
        Hex.Ascii("0800"),
        Hex.Parse("82 20 00 00 00 00 00 00"),
        Hex.Parse("04 00 00 00 00 00 00 00"),
        Hex.Ascii("1122103000"),
        Hex.Ascii("000042"),
        Hex.Ascii("301"));

    private static readonly byte[] Bcd0800 = Hex.Concat(
        Hex.Parse("08 00"),
        Hex.Parse("82 20 00 00 00 00 00 00"),
        Hex.Parse("04 00 00 00 00 00 00 00"),
        Hex.Parse("11 22 10 30 00"),
        Hex.Parse("00 00 42"),
        Hex.Parse("03 01"));

    public static TheoryData<string, byte[]> Authorisations => new()
    {
        { "iso87-ascii", Ascii0100 },
        { "iso87-bcd", Bcd0100 },
    };

    public static TheoryData<string, byte[]> EchoRequests => new()
    {
        { "iso87-ascii", Ascii0800 },
        { "iso87-bcd", Bcd0800 },
    };

    [Theory]
    [MemberData(nameof(Authorisations))]
    public void Authorisation_parses_to_the_expected_fields(string dialectName, byte[] frame)
    {
        var message = new IsoMessage();
        Assert.True(message.TryParse(frame, TestDialects.ByName(dialectName), out ParseError error), error.ToString());
        Assert.Equal(100, message.Mti);
        Assert.Equal(0x7220000120808000UL, message.PrimaryBitmap);
        Assert.False(message.Has(1));
        Assert.Equal("4761739001010010", Text(message, 2));
        Assert.Equal("000000", Text(message, 3));
        Assert.True(message.TryGetInt64(4, out long amount));
        Assert.Equal(1000, amount);
        Assert.Equal("1122103000", Text(message, 7));
        Assert.True(message.TryGetInt64(11, out long stan));
        Assert.Equal(123456, stan);
        Assert.Equal("12345", Text(message, 32));
        Assert.Equal(5, message.GetLength(32));
        Assert.Equal("4761739001010010=2512", Text(message, 35));
        Assert.Equal("TERM0001", Text(message, 41));
        Assert.Equal("978", Text(message, 49));
        Assert.False(message.Has(39));
        Assert.Equal(-1, message.GetLength(39));
    }

    [Theory]
    [MemberData(nameof(Authorisations))]
    public void Authorisation_builds_to_the_same_bytes(string dialectName, byte[] frame)
    {
        var builder = new IsoMessageBuilder(TestDialects.ByName(dialectName));
        builder.Reset(100)
            .SetString(2, "4761739001010010")
            .SetNumber(3, 0)
            .SetNumber(4, 1000)
            .SetString(7, "1122103000")
            .SetNumber(11, 123456)
            .SetString(32, "12345")
            .SetString(35, "4761739001010010=2512")
            .SetString(41, "TERM0001")
            .SetString(49, "978");
        byte[] written = new byte[builder.MessageLength];
        Assert.Equal(frame.Length, builder.WriteMessage(written));
        Assert.Equal(Convert.ToHexString(frame), Convert.ToHexString(written));
    }

    [Theory]
    [MemberData(nameof(EchoRequests))]
    public void Echo_with_secondary_bitmap_round_trips(string dialectName, byte[] frame)
    {
        Dialect dialect = TestDialects.ByName(dialectName);
        var message = new IsoMessage();
        Assert.True(message.TryParse(frame, dialect, out ParseError error), error.ToString());
        Assert.Equal(800, message.Mti);
        Assert.True(message.Has(1));
        Assert.Equal(0x0400000000000000UL, message.SecondaryBitmap);
        Assert.True(message.TryGetInt64(70, out long code));
        Assert.Equal(301, code);
        Assert.True(message.TryGetInt64(11, out long stan));
        Assert.Equal(42, stan);

        var builder = new IsoMessageBuilder(dialect);
        builder.Reset(800).SetString(7, "1122103000").SetNumber(11, 42).SetNumber(70, 301);
        byte[] written = new byte[builder.MessageLength];
        builder.WriteMessage(written);
        Assert.Equal(Convert.ToHexString(frame), Convert.ToHexString(written));
    }

    [Fact]
    public void Field_128_and_binary_fields_are_written_raw_after_the_secondary_bitmap()
    {
        byte[] mac = Hex.Parse("01 23 45 67 89 AB CD EF");
        byte[] pin = Hex.Parse("FF EE DD CC BB AA 99 88");
        byte[] expected = Hex.Concat(
            Hex.Ascii("0200"),
            Hex.Parse("80 00 10 00 00 00 10 00"),  // bit 1 (secondary follows); byte3 0x10 = DE20; byte7 0x10 = DE52
            Hex.Parse("00 00 00 00 00 00 00 01"),  // DE128
            Hex.Ascii("840"),
            pin,
            mac);
        var builder = new IsoMessageBuilder(TestDialects.Ascii);
        builder.Reset(200).SetString(20, "840").SetBinary(52, pin).SetBinary(128, mac);
        byte[] written = new byte[builder.MessageLength];
        builder.WriteMessage(written);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(written));

        var message = new IsoMessage();
        Assert.True(message.TryParse(written, TestDialects.Ascii, out ParseError error), error.ToString());
        Assert.True(message.Has(128));
        Assert.Equal(mac, message.GetRaw(128).ToArray());
        Assert.Equal(pin, message.GetRaw(52).ToArray());
    }

    [Fact]
    public void Bcd_dialect_packs_signed_amounts_with_a_character_sign()
    {
        var builder = new IsoMessageBuilder(TestDialects.Bcd);
        builder.Reset(200).SetString(28, "D00001234");
        byte[] written = new byte[builder.MessageLength];
        builder.WriteMessage(written);
        // MTI 02 00, bitmap byte4 DE28 = 0x10, then 'D' and 8 digits packed into 4 bytes.
        Assert.Equal("0200" + "0000001000000000" + "44" + "00001234", Convert.ToHexString(written));
        var message = new IsoMessage();
        Assert.True(message.TryParse(written, TestDialects.Bcd, out ParseError error), error.ToString());
        Assert.Equal("D00001234", Text(message, 28));
    }

    private static string Text(IsoMessage message, int field)
    {
        Assert.True(message.TryGetString(field, out string? value));
        return value!;
    }
}
