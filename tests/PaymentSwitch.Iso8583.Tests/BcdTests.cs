using PaymentSwitch.Iso8583.Internal;

namespace PaymentSwitch.Iso8583.Tests;

/// <summary>The packing routines against a nibble-by-nibble reference, for every length a field can have.</summary>
public sealed class BcdTests
{
    private static byte[] Reference(string ascii, bool rightAligned, int pad)
    {
        var nibbles = new List<int>();
        foreach (char c in ascii) nibbles.Add(c is '=' or 'D' ? 0xD : c - '0');
        if (nibbles.Count % 2 != 0)
        {
            if (rightAligned) nibbles.Insert(0, 0);
            else nibbles.Add(pad);
        }
        var bytes = new byte[nibbles.Count / 2];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)((nibbles[2 * i] << 4) | nibbles[(2 * i) + 1]);
        return bytes;
    }

    [Fact]
    public void Numbers_and_track_data_pack_as_the_reference_for_lengths_0_to_40()
    {
        var random = new Random(87);
        for (int length = 0; length <= 40; length++)
        {
            for (int sample = 0; sample < 50; sample++)
            {
                string digits = new(Enumerable.Range(0, length).Select(_ => (char)('0' + random.Next(10))).ToArray());
                byte[] packed = new byte[(length + 1) / 2];
                Assert.Equal(packed.Length, Bcd.PackNumeric(System.Text.Encoding.ASCII.GetBytes(digits), packed));
                Assert.Equal(Reference(digits, rightAligned: true, pad: 0), packed);

                string track = new(Enumerable.Range(0, length).Select(_ => "0123456789=D"[random.Next(12)]).ToArray());
                byte[] trackPacked = new byte[(length + 1) / 2];
                Assert.Equal(trackPacked.Length, Bcd.PackTrack(System.Text.Encoding.ASCII.GetBytes(track), trackPacked));
                Assert.Equal(Reference(track, rightAligned: false, pad: Bcd.PadNibble), trackPacked);
            }
        }
    }

    [Theory]
    [InlineData(0L, 1)]
    [InlineData(7L, 1)]
    [InlineData(99L, 1)]
    [InlineData(1000L, 6)]
    [InlineData(123456789012L, 6)]
    [InlineData(999_999_999_999L, 6)]
    [InlineData(5L, 2)]
    public void A_number_is_written_right_aligned_and_zero_padded(long value, int bytes)
    {
        byte[] packed = new byte[bytes];
        Array.Fill(packed, (byte)0xEE); // must all be overwritten
        Bcd.WriteNumber(value, packed);
        Assert.Equal(Reference(value.ToString("D" + (bytes * 2), System.Globalization.CultureInfo.InvariantCulture), true, 0), packed);
    }

    [Fact]
    public void Every_two_digit_value_becomes_its_packed_byte()
    {
        for (int v = 0; v < 100; v++) Assert.Equal((v / 10 * 16) + (v % 10), Bcd.ToBcdByte(v));
    }

    [Theory]
    [InlineData(4, "00000000010A")]
    [InlineData(2, "476173900101001X")]
    [InlineData(7, "1122 03000")]
    [InlineData(49, "97:")]
    public void The_builder_refuses_a_non_digit_in_a_BCD_numeric_field_and_leaves_the_message_as_it_was(int field, string content)
    {
        var builder = new IsoMessageBuilder(Support.TestDialects.Bcd);
        builder.Reset(100).SetAscii(3, "000000"u8);
        int before = builder.MessageLength;
        Assert.False(builder.TrySetAscii(field, System.Text.Encoding.ASCII.GetBytes(content)));
        Assert.False(builder.Has(field));
        Assert.Equal(before, builder.MessageLength);
        Assert.True(builder.TrySetAscii(field, System.Text.Encoding.ASCII.GetBytes(content.Replace('A', '0').Replace('X', '0').Replace(' ', '0').Replace(':', '0'))));
        Assert.True(builder.Has(field));
    }
}
