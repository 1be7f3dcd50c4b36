using PaymentSwitch.Iso8583.Emv;
using PaymentSwitch.Iso8583.Tests.Support;

namespace PaymentSwitch.Iso8583.Tests;

public class TlvReaderTests
{
    // 9F02 (amount, 6 bytes), 5F2A (currency, 2), 82 (AIP, 2), 9F10 with a long-form length (0x81 0x03).
    private static readonly byte[] Flat = Hex.Parse("9F02 06 000000001000  5F2A 02 0978  82 02 1980  9F10 81 03 0A0B0C");

    [Fact]
    public void Reads_multi_byte_tags_and_long_form_lengths()
    {
        var reader = new TlvReader(Flat);
        var tags = new List<(uint, string, int)>();
        while (reader.TryRead(out TlvElement e, out TlvError error))
        {
            Assert.False(error.IsError);
            tags.Add((e.Tag, Convert.ToHexString(e.Value), e.Offset));
        }
        Assert.Equal([(0x9F02u, "000000001000", 0), (0x5F2Au, "0978", 9), (0x82u, "1980", 14), (0x9F10u, "0A0B0C", 18)], tags);
        Assert.Equal(Flat.Length, reader.Position);
    }

    [Fact]
    public void Reads_nested_templates_with_offsets_from_the_outer_data()
    {
        // 70 (template) holding 57 (track 2 equivalent) and a nested 71 template holding 9F18.
        byte[] data = Hex.Parse("70 0C  57 03 123456  71 05 9F18 02 0102");
        var reader = new TlvReader(data);
        Assert.True(reader.TryRead(out TlvElement template, out _));
        Assert.True(template.IsConstructed);
        TlvReader children = template.ReadChildren();
        Assert.True(children.TryRead(out TlvElement track, out _));
        Assert.Equal(0x57u, track.Tag);
        Assert.False(track.IsConstructed);
        Assert.Equal(2, track.Offset);
        Assert.True(children.TryRead(out TlvElement inner, out _));
        Assert.True(inner.IsConstructed);
        TlvReader grandChildren = inner.ReadChildren();
        Assert.True(grandChildren.TryRead(out TlvElement leaf, out _));
        Assert.Equal(0x9F18u, leaf.Tag);
        Assert.Equal(9, leaf.Offset);
        Assert.False(children.TryRead(out _, out TlvError end));
        Assert.False(end.IsError);
        Assert.True(TlvReader.Validate(data, out _));
    }

    [Fact]
    public void Skips_zero_padding_between_objects()
    {
        var reader = new TlvReader(Hex.Parse("00 00 82 01 AA 00 95 01 BB 00"));
        Assert.True(reader.TryRead(out TlvElement a, out _));
        Assert.True(reader.TryRead(out TlvElement b, out _));
        Assert.Equal((0x82u, 0x95u), (a.Tag, b.Tag));
        Assert.False(reader.TryRead(out _, out TlvError error));
        Assert.False(error.IsError);
    }

    [Theory]
    [InlineData("9F", TlvErrorKind.TruncatedTag, 0)]
    [InlineData("9F FF FF FF 01 00", TlvErrorKind.TagTooLong, 0)]
    [InlineData("9F02", TlvErrorKind.TruncatedLength, 0)]
    [InlineData("82 80 00 00", TlvErrorKind.IndefiniteLength, 0)]
    [InlineData("82 84 00 00 00 01 AA", TlvErrorKind.LengthTooLong, 0)]
    [InlineData("82 82 01", TlvErrorKind.TruncatedLength, 0)]
    [InlineData("82 02 19 80 9F02 06 0000", TlvErrorKind.ValueExceedsData, 4)]
    [InlineData("70 05 57 09 1234", TlvErrorKind.ValueExceedsData, 0)]
    [InlineData("70 04 57 09 1234", TlvErrorKind.ValueExceedsData, 2)]
    public void Malformed_data_gives_a_clear_error(string hex, TlvErrorKind kind, int offset)
    {
        Assert.False(TlvReader.Validate(Hex.Parse(hex), out TlvError error));
        Assert.Equal(kind, error.Kind);
        Assert.Equal(offset, error.Offset);
        Assert.StartsWith("EMV", error.ToString());
    }

    [Fact]
    public void Nesting_beyond_the_limit_is_refused()
    {
        byte[] data = Hex.Parse("70 04 70 02 70 00");
        Assert.True(TlvReader.Validate(data, out _, maxDepth: 3));   // three templates deep
        Assert.False(TlvReader.Validate(data, out TlvError error, maxDepth: 2));
        Assert.Equal(TlvErrorKind.NestingTooDeep, error.Kind);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(55);
        byte[] data = new byte[64];
        for (int i = 0; i < 50_000; i++)
        {
            random.NextBytes(data);
            int length = random.Next(data.Length + 1);
            TlvReader.Validate(data.AsSpan(0, length), out TlvError error);
            Assert.InRange(error.Offset, 0, length);
        }
    }
}
