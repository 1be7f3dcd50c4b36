using PaymentSwitch.Iso8583.Tests.Support;

namespace PaymentSwitch.Iso8583.Tests;

public class MessageDescriberTests
{
    private const string Pan = "4761739001010010";
    private const string Track2 = "4761739001010010=25121010000012300000";
    private static readonly byte[] PinBlock = Hex.Parse("1A2B3C4D5E6F7081");
    // EMV: 5A (PAN, packed BCD), 57 (track 2 equivalent), 5F20 (name), 9F02 (amount).
    private static readonly byte[] Emv = Hex.Parse("5A 08 4761739001010010  57 0B 4761739001010010D25121  5F20 04 4A4F484E  9F02 06 000000001000");

    private static IsoMessage Sensitive(Dialect dialect)
    {
        var builder = new IsoMessageBuilder(dialect);
        builder.Reset(100)
            .SetString(2, Pan).SetNumber(4, 1000).SetNumber(11, 1).SetString(35, Track2)
            .SetString(45, "B4761739001010010^DOE/JOHN^2512101") .SetBinary(52, PinBlock).SetBinary(55, Emv)
            .SetString(34, Pan);
        byte[] bytes = new byte[builder.MessageLength];
        builder.WriteMessage(bytes);
        var message = new IsoMessage();
        Assert.True(message.TryParse(bytes, dialect, out ParseError error), error.ToString());
        return message;
    }

    public static TheoryData<string> DialectNames => new() { "iso87-ascii", "iso87-bcd", "iso87-ebcdic-test" };

    [Theory]
    [MemberData(nameof(DialectNames))]
    public void Never_shows_a_full_pan_track_data_or_pin_block(string dialectName)
    {
        IsoMessage message = Sensitive(TestDialects.ByName(dialectName));
        foreach (string text in new[] { MessageDescriber.Describe(message), MessageDescriber.Summarize(message) })
        {
            Assert.DoesNotContain(Pan, text);
            Assert.DoesNotContain("739001010", text);       // the hidden middle of the PAN
            Assert.DoesNotContain("2512101", text);         // track 2 discretionary data
            Assert.DoesNotContain("DOE/JOHN", text);
            Assert.DoesNotContain(Convert.ToHexString(PinBlock), text);
            Assert.DoesNotContain("4A4F484E", text);        // cardholder name in EMV
            Assert.Contains("476173******0010", text);
        }
        string full = MessageDescriber.Describe(message);
        Assert.Contains("[hidden, 37 chars]", full);
        Assert.Contains("[hidden, 8 bytes]", full);
        Assert.Contains("9F02=000000001000", full);          // harmless EMV data stays readable
        Assert.Contains("Primary account number", full);
    }

    [Fact]
    public void Malformed_emv_data_is_hidden_not_dumped()
    {
        var builder = new IsoMessageBuilder(TestDialects.Ascii);
        builder.Reset(100).SetBinary(55, Hex.Parse("5A 20 4761739001010010"));
        byte[] bytes = new byte[builder.MessageLength];
        builder.WriteMessage(bytes);
        var message = new IsoMessage();
        Assert.True(message.TryParse(bytes, TestDialects.Ascii, out _));
        string text = MessageDescriber.Describe(message);
        Assert.Contains("malformed", text);
        Assert.DoesNotContain("4761739001010010", text);
    }

    [Theory]
    [InlineData("4761739001010010", "476173******0010")]
    [InlineData("4761739001010010123", "476173*********0123")]
    [InlineData("476173900101", "********0101")]
    [InlineData("1234", "****")]
    [InlineData("", "")]
    public void Pan_mask_keeps_first_six_and_last_four_only_when_long_enough(string pan, string masked)
    {
        Assert.Equal(masked, PanMask.Mask(pan));
    }
}
