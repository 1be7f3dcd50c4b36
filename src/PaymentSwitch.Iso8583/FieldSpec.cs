namespace PaymentSwitch.Iso8583;

/// <summary>
/// The definition of one data element in a <see cref="Dialect"/>: its content type, how its length is known,
/// how it is encoded and its maximum length.
/// </summary>
/// <remarks>
/// Lengths count what ISO 8583 counts: digits for <c>n</c> and <c>z</c> (whatever the encoding), characters for
/// <c>a</c>, <c>an</c>, <c>ans</c>, bytes for <c>b</c>, and for <c>x+n</c> the digits after the sign (so
/// <c>x+n 8</c> is nine characters on the wire in ASCII).
/// </remarks>
public sealed class FieldSpec
{
    /// <summary>Largest length any field may declare (an <c>LLLL</c> prefix holds up to 9999).</summary>
    public const int MaxFieldLength = 9999;

    public FieldSpec(int number, string name, ContentType content, LengthKind lengthKind, int maxLength,
        FieldEncoding encoding, FieldEncoding prefixEncoding, FieldSensitivity sensitivity = FieldSensitivity.None)
    {
        if (number is < 2 or > 128)
            throw new ArgumentOutOfRangeException(nameof(number), number, "Field numbers run from 2 to 128 (field 1 is the secondary bitmap).");
        if (maxLength < 1 || maxLength > MaxFieldLength)
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, $"Field {number}: length must be 1..{MaxFieldLength}.");
        int prefixLimit = lengthKind switch { LengthKind.LL => 99, LengthKind.LLL => 999, _ => MaxFieldLength };
        int logicalMax = content == ContentType.SignedAmount ? maxLength + 1 : maxLength;
        if (lengthKind != LengthKind.Fixed && logicalMax > prefixLimit)
            throw new ArgumentException($"Field {number}: maximum length {maxLength} does not fit a {lengthKind} prefix.", nameof(maxLength));
        if (content == ContentType.Binary && encoding != FieldEncoding.Binary)
            throw new ArgumentException($"Field {number}: a b field must use the binary encoding.", nameof(encoding));
        if (content != ContentType.Binary && encoding == FieldEncoding.Binary)
            throw new ArgumentException($"Field {number}: only b fields may use the binary encoding.", nameof(encoding));
        if (encoding == FieldEncoding.Bcd && content is not (ContentType.Numeric or ContentType.Track or ContentType.SignedAmount))
            throw new ArgumentException($"Field {number}: BCD encoding holds only n, z and x+n fields.", nameof(encoding));

        Number = number;
        Name = name;
        Content = content;
        LengthKind = lengthKind;
        MaxLength = maxLength;
        Encoding = encoding;
        PrefixEncoding = prefixEncoding;
        Sensitivity = sensitivity;
    }

    public int Number { get; }
    public string Name { get; }
    public ContentType Content { get; }
    public LengthKind LengthKind { get; }

    /// <summary>The exact length of a fixed field, or the largest length of a variable one (see remarks on the type).</summary>
    public int MaxLength { get; }

    public FieldEncoding Encoding { get; }

    /// <summary>The encoding of the length prefix (ignored for fixed fields).</summary>
    public FieldEncoding PrefixEncoding { get; }

    public FieldSensitivity Sensitivity { get; }

    /// <summary>Characters of content as the message model holds it (for <c>x+n</c>, the sign plus the digits).</summary>
    public int MaxLogicalLength => Content == ContentType.SignedAmount ? MaxLength + 1 : MaxLength;

    public override string ToString()
    {
        string type = Content switch
        {
            ContentType.Numeric => "n",
            ContentType.Alpha => "a",
            ContentType.AlphaNumeric => "an",
            ContentType.AlphaNumericSpecial => "ans",
            ContentType.Binary => "b",
            ContentType.Track => "z",
            _ => "x+n",
        };
        string length = LengthKind == LengthKind.Fixed ? $" {MaxLength}" : $"..{MaxLength} {LengthKind}";
        return $"DE{Number} {Name} ({type}{length}, {Encoding})";
    }
}
