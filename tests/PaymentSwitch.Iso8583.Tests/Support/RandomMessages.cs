using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Iso8583.Tests.Support;

/// <summary>Seeded random valid content for any field of a dialect, and random messages built from it.</summary>
internal sealed class RandomMessages(int seed)
{
    private readonly Random _random = new(seed);
    private const string Letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public Random Random => _random;

    /// <summary>Random valid content: the exact length of a fixed field, a random length (up to 300) of a variable one.</summary>
    public byte[] Content(FieldSpec spec)
    {
        int max = spec.MaxLength;
        return Content(spec, spec.LengthKind == LengthKind.Fixed ? max : _random.Next(0, Math.Min(max, 300) + 1));
    }

    /// <summary>Random valid content of <paramref name="length"/> (for x+n, digits after the sign).</summary>
    public byte[] Content(FieldSpec spec, int length)
    {
        var value = new byte[spec.Content == ContentType.SignedAmount ? length + 1 : length];
        switch (spec.Content)
        {
            case ContentType.Numeric:
                for (int i = 0; i < length; i++) value[i] = (byte)('0' + _random.Next(10));
                break;
            case ContentType.Alpha:
                for (int i = 0; i < length; i++) value[i] = (byte)(Letters + " ")[_random.Next(Letters.Length + 1)];
                break;
            case ContentType.AlphaNumeric:
                for (int i = 0; i < length; i++) value[i] = (byte)(Letters + "0123456789 ")[_random.Next(Letters.Length + 11)];
                break;
            case ContentType.AlphaNumericSpecial:
                for (int i = 0; i < length; i++) value[i] = (byte)_random.Next(0x20, 0x7F);
                break;
            case ContentType.Binary:
                _random.NextBytes(value);
                break;
            case ContentType.Track:
                for (int i = 0; i < length; i++) value[i] = (byte)(_random.Next(12) == 0 ? '=' : '0' + _random.Next(10));
                break;
            case ContentType.SignedAmount:
                value[0] = (byte)(_random.Next(2) == 0 ? 'C' : 'D');
                for (int i = 1; i < value.Length; i++) value[i] = (byte)('0' + _random.Next(10));
                break;
        }
        return value;
    }

    /// <summary>A random message: a random MTI and a random set of fields (sometimes with a secondary bitmap).</summary>
    public Dictionary<int, byte[]> Fill(IsoMessageBuilder builder, Dialect dialect)
    {
        builder.Reset(dialect, _random.Next(0, 10000));
        var fields = new Dictionary<int, byte[]>();
        int count = _random.Next(1, 25);
        bool secondary = _random.Next(3) == 0;
        for (int i = 0; i < count; i++)
        {
            int number = secondary ? _random.Next(2, 129) : _random.Next(2, 65);
            FieldSpec? spec = dialect[number];
            if (spec is null || fields.ContainsKey(number)) continue;
            byte[] value = Content(spec);
            builder.SetAscii(number, value);
            fields[number] = value;
        }
        return fields;
    }
}
