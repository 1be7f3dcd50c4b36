using System.Buffers;
using System.Runtime.CompilerServices;

namespace PaymentSwitch.Iso8583.Internal;

/// <summary>Checks that ASCII content holds only the characters its ISO 8583 content type allows (vectorised).</summary>
internal static class ContentValidator
{
    private static readonly SearchValues<byte> Alpha = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz "u8);
    private static readonly SearchValues<byte> AlphaNumeric = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 "u8);
    private static readonly SearchValues<byte> Track = SearchValues.Create("0123456789=D"u8);

    /// <summary>Returns the index of the first character not allowed by <paramref name="content"/>, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int FindInvalid(ContentType content, ReadOnlySpan<byte> ascii) => content switch
    {
        ContentType.Numeric => ascii.IndexOfAnyExceptInRange((byte)'0', (byte)'9'),
        ContentType.AlphaNumericSpecial => ascii.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E),
        ContentType.AlphaNumeric => ascii.IndexOfAnyExcept(AlphaNumeric),
        ContentType.Alpha => ascii.IndexOfAnyExcept(Alpha),
        ContentType.Track => ascii.IndexOfAnyExcept(Track),
        ContentType.SignedAmount => FindInvalidSignedAmount(ascii),
        _ => -1,
    };

    private static int FindInvalidSignedAmount(ReadOnlySpan<byte> ascii)
    {
        if (ascii.IsEmpty) return -1;
        if (ascii[0] is not ((byte)'C' or (byte)'D')) return 0;
        int i = ascii[1..].IndexOfAnyExceptInRange((byte)'0', (byte)'9');
        return i < 0 ? -1 : i + 1;
    }
}
