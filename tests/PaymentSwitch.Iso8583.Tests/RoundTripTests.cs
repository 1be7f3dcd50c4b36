using PaymentSwitch.Iso8583.Tests.Support;

namespace PaymentSwitch.Iso8583.Tests;

public class RoundTripTests
{
    public static TheoryData<string> DialectNames => new() { "iso87-ascii", "iso87-bcd", "iso87-ebcdic-test", "iso87-binprefix-test" };

    [Theory]
    [MemberData(nameof(DialectNames))]
    public void Every_defined_field_round_trips_at_its_shortest_and_longest(string dialectName)
    {
        Dialect dialect = TestDialects.ByName(dialectName);
        var random = new RandomMessages(17);
        var builder = new IsoMessageBuilder(dialect);
        var message = new IsoMessage();
        foreach (FieldSpec spec in dialect.Fields)
        {
            int[] lengths = spec.LengthKind == LengthKind.Fixed ? [spec.MaxLength] : [0, 1, spec.MaxLength];
            foreach (int length in lengths)
            {
                byte[] value = random.Content(spec, length);
                builder.Reset(100).SetAscii(spec.Number, value);
                byte[] bytes = new byte[builder.MessageLength];
                builder.WriteMessage(bytes);
                Assert.True(message.TryParse(bytes, dialect, out ParseError error), $"{spec}: {error}");
                Assert.Equal(spec.Number > 64, message.Has(1));
                byte[] read = new byte[value.Length];
                Assert.Equal(value.Length, message.CopyContent(spec.Number, read));
                Assert.Equal(value, read);
            }
        }
    }

    [Theory]
    [MemberData(nameof(DialectNames))]
    public void Thousands_of_random_messages_round_trip(string dialectName)
    {
        Dialect dialect = TestDialects.ByName(dialectName);
        var random = new RandomMessages(20261122);
        var builder = new IsoMessageBuilder(dialect);
        var rebuilder = new IsoMessageBuilder(dialect);
        var message = new IsoMessage();
        for (int i = 0; i < 5000; i++)
        {
            Dictionary<int, byte[]> fields = random.Fill(builder, dialect);
            byte[] bytes = new byte[builder.MessageLength];
            builder.WriteMessage(bytes);

            Assert.True(message.TryParse(bytes, dialect, out ParseError error), $"message {i}: {error}");
            Assert.Equal(builder.Mti, message.Mti);
            for (int f = 2; f <= 128; f++)
            {
                Assert.Equal(fields.ContainsKey(f), message.Has(f));
                if (!fields.TryGetValue(f, out byte[]? expected)) continue;
                byte[] actual = new byte[message.GetLength(f)];
                message.CopyContent(f, actual);
                Assert.Equal(expected, actual);
            }

            // Copying every field into a new builder writes the identical bytes.
            rebuilder.Reset(message.Mti);
            for (int f = message.NextField(1); f > 0; f = message.NextField(f))
                Assert.True(rebuilder.TryCopy(message, f));
            byte[] again = new byte[rebuilder.MessageLength];
            rebuilder.WriteMessage(again);
            Assert.Equal(bytes, again);
        }
    }

    [Fact]
    public void Fields_copy_across_dialects_with_the_same_content()
    {
        var random = new RandomMessages(99);
        var ascii = new IsoMessageBuilder(TestDialects.Ascii);
        var bcd = new IsoMessageBuilder(TestDialects.Bcd);
        var fromAscii = new IsoMessage();
        var fromBcd = new IsoMessage();
        for (int i = 0; i < 2000; i++)
        {
            Dictionary<int, byte[]> fields = random.Fill(ascii, TestDialects.Ascii);
            byte[] a = new byte[ascii.MessageLength];
            ascii.WriteMessage(a);
            Assert.True(fromAscii.TryParse(a, TestDialects.Ascii, out _));

            bcd.Reset(fromAscii.Mti);
            foreach (int f in fields.Keys) Assert.True(bcd.TryCopy(fromAscii, f), $"field {f}");
            byte[] b = new byte[bcd.MessageLength];
            bcd.WriteMessage(b);
            Assert.True(fromBcd.TryParse(b, TestDialects.Bcd, out ParseError error), error.ToString());
            foreach ((int f, byte[] expected) in fields)
            {
                byte[] actual = new byte[fromBcd.GetLength(f)];
                fromBcd.CopyContent(f, actual);
                Assert.Equal(expected, actual);
            }
        }
    }

    [Theory]
    [MemberData(nameof(DialectNames))]
    public void Fields_replaced_removed_or_set_out_of_order_write_the_same_bytes_as_a_clean_ascending_build(string dialectName)
    {
        Dialect dialect = TestDialects.ByName(dialectName);
        var random = new RandomMessages(314159);
        var reference = new IsoMessageBuilder(dialect);
        var edited = new IsoMessageBuilder(dialect);
        for (int i = 0; i < 2000; i++)
        {
            // The message both builders must end with: random fields, written in ascending order by the reference.
            Dictionary<int, byte[]> fields = random.Fill(reference, dialect);
            int[] numbers = [.. fields.Keys.Order()];
            reference.Reset(reference.Mti);
            foreach (int f in numbers) reference.SetAscii(f, fields[f]);

            // The edited builder gets there the long way: ascending with a stray field and a stale value on the way.
            edited.Reset(reference.Mti);
            int stray = numbers[^1] < 128 && dialect[numbers[^1] + 1] is { } spec ? spec.Number : 0;
            foreach (int f in numbers)
            {
                edited.SetAscii(f, random.Content(dialect[f]!));
                if (random.Random.Next(2) == 0) edited.SetAscii(f, fields[f]); // replaced at once
            }
            if (stray != 0) edited.SetAscii(stray, random.Content(dialect[stray]!));
            foreach (int f in numbers) edited.SetAscii(f, fields[f]); // replaced again, now in order after the stray
            if (stray != 0) edited.Remove(stray);

            Assert.Equal(reference.MessageLength, edited.MessageLength);
            byte[] expected = new byte[reference.MessageLength];
            byte[] actual = new byte[edited.MessageLength];
            reference.WriteMessage(expected);
            edited.WriteMessage(actual);
            Assert.Equal(expected, actual);
            foreach (int f in numbers) Assert.Equal(reference.Get(f).ToArray(), edited.Get(f).ToArray());
        }
    }

    [Theory]
    [InlineData("iso87-bcd")]
    [InlineData("iso87-ebcdic-test")]
    public void Get_returns_the_padded_ascii_content_whatever_the_wire_encoding(string dialectName)
    {
        var builder = new IsoMessageBuilder(TestDialects.ByName(dialectName));
        builder.Reset(110).SetNumber(11, 42).SetString(4, "1234").SetString(2, "4761739001010010");
        Assert.Equal("000042"u8.ToArray(), builder.Get(11).ToArray());
        Assert.Equal("000000001234"u8.ToArray(), builder.Get(4).ToArray());
        Assert.Equal("4761739001010010"u8.ToArray(), builder.Get(2).ToArray());
        Assert.True(builder.Get(3).IsEmpty);
    }

    [Fact]
    public void Fixed_fields_are_padded_numeric_left_with_zeros_and_text_right_with_spaces()
    {
        var builder = new IsoMessageBuilder(TestDialects.Ascii);
        builder.Reset(110).SetNumber(11, 42).SetString(41, "T1").SetString(39, "0");
        Assert.Equal("000042"u8.ToArray(), builder.Get(11).ToArray());
        Assert.Equal("T1      "u8.ToArray(), builder.Get(41).ToArray());
        Assert.Equal("0 "u8.ToArray(), builder.Get(39).ToArray());
    }

    [Fact]
    public void Builder_refuses_content_the_field_does_not_allow()
    {
        var builder = new IsoMessageBuilder(TestDialects.Ascii);
        builder.Reset(100);
        Assert.False(builder.TrySetAscii(2, "47617390010100101234"u8));   // 20 digits > n..19
        Assert.False(builder.TrySetAscii(4, "12A"u8));                      // not numeric
        Assert.False(builder.TrySetAscii(52, "1234"u8));                    // b 8 needs 8 bytes
        Assert.False(builder.TrySetAscii(1, "x"u8));                        // field 1 is the bitmap
        Assert.False(builder.TrySetAscii(129, "x"u8));
        Assert.False(builder.TrySetAscii(28, "X00000001"u8));               // x+n sign must be C or D
        Assert.Throws<ArgumentException>(() => builder.SetString(4, "12A"));
        Assert.Throws<ArgumentException>(() => builder.SetNumber(4, -5));
        Assert.False(builder.Has(4));
    }

    [Fact]
    public void Removing_the_last_secondary_field_drops_the_secondary_bitmap()
    {
        var builder = new IsoMessageBuilder(TestDialects.Ascii);
        builder.Reset(800).SetNumber(11, 1).SetNumber(70, 301);
        int withSecondary = builder.MessageLength;
        builder.Remove(70);
        Assert.Equal(withSecondary - 8 - 3, builder.MessageLength);
        byte[] bytes = new byte[builder.MessageLength];
        builder.WriteMessage(bytes);
        var message = new IsoMessage();
        Assert.True(message.TryParse(bytes, TestDialects.Ascii, out _));
        Assert.False(message.Has(1));
        Assert.False(message.Has(70));
    }

    [Fact]
    public void Message_parsed_from_the_middle_of_a_buffer_reads_only_its_own_bytes()
    {
        var builder = new IsoMessageBuilder(TestDialects.Ascii);
        builder.Reset(100).SetString(2, "4761739001010010").SetNumber(4, 1);
        byte[] buffer = new byte[builder.MessageLength + 20];
        buffer.AsSpan().Fill(0xEE);
        int length = builder.WriteMessage(buffer.AsSpan(10));
        var message = new IsoMessage();
        Assert.True(message.TryParse(buffer.AsMemory(10, length), TestDialects.Ascii, out _));
        Assert.Equal("4761739001010010"u8.ToArray(), message.GetRaw(2).ToArray());
    }
}
