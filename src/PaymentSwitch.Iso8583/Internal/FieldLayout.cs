using System.Runtime.CompilerServices;

namespace PaymentSwitch.Iso8583.Internal;

/// <summary>A field's specification flattened for the parse and write loops: no pointer chasing, no virtual calls.</summary>
internal readonly struct FieldLayout
{
    public readonly bool Defined;
    public readonly ContentType Content;
    public readonly LengthKind LengthKind;
    public readonly FieldEncoding Encoding;
    public readonly FieldEncoding PrefixEncoding;
    /// <summary>Maximum (or, for fixed fields, exact) length in content characters (sign included for x+n).</summary>
    public readonly int MaxLogical;
    /// <summary>Bytes of the length prefix on the wire; 0 for fixed fields.</summary>
    public readonly int PrefixBytes;
    /// <summary>Decimal digits of the length prefix (2, 3 or 4); 0 for fixed fields.</summary>
    public readonly int PrefixDigits;

    public FieldLayout(FieldSpec spec)
    {
        Defined = true;
        Content = spec.Content;
        LengthKind = spec.LengthKind;
        Encoding = spec.Encoding;
        PrefixEncoding = spec.PrefixEncoding;
        MaxLogical = spec.MaxLogicalLength;
        PrefixDigits = (int)spec.LengthKind;
        PrefixBytes = spec.LengthKind == LengthKind.Fixed ? 0 : spec.PrefixEncoding switch
        {
            FieldEncoding.Ascii or FieldEncoding.Ebcdic => PrefixDigits,
            _ => PrefixDigits == 2 ? 1 : 2,
        };
    }

    /// <summary>True when a field's wire bytes (prefix and content) mean the same under both layouts, so they can be copied as they are.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool SameWireFormat(in FieldLayout other)
        => Defined && other.Defined && Content == other.Content && LengthKind == other.LengthKind && Encoding == other.Encoding
           && PrefixEncoding == other.PrefixEncoding && (LengthKind != LengthKind.Fixed || MaxLogical == other.MaxLogical);

    /// <summary>Bytes on the wire for <paramref name="logicalLength"/> characters of content.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int EncodedLength(int logicalLength)
    {
        if (Encoding != FieldEncoding.Bcd) return logicalLength;
        // x+n in BCD: the sign stays one character byte, the digits pack two to a byte.
        return Content == ContentType.SignedAmount ? 1 + logicalLength / 2 : (logicalLength + 1) / 2;
    }
}
