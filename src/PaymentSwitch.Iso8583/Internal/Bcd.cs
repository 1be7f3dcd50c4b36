using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace PaymentSwitch.Iso8583.Internal;

/// <summary>Packed binary-coded decimal: two digits per byte, high nibble first.</summary>
internal static class Bcd
{
    /// <summary>Nibble value used for the track-data field separator ('=' or 'D').</summary>
    public const int SeparatorNibble = 0xD;
    /// <summary>Nibble used to pad an odd number of track characters on the right.</summary>
    public const int PadNibble = 0xF;

    /// <summary>
    /// Checks <paramref name="packed"/> holds <paramref name="digits"/> decimal digits, right-aligned (an odd count has
    /// a leading zero nibble). Returns the index of the first bad byte, or -1.
    /// </summary>
    public static int ValidateNumeric(ReadOnlySpan<byte> packed, int digits)
    {
        if ((digits & 1) != 0 && packed.Length > 0 && (packed[0] >> 4) != 0) return 0;
        for (int i = 0; i < packed.Length; i++)
        {
            int b = packed[i];
            if ((b >> 4) > 9 || (b & 0xF) > 9) return i;
        }
        return -1;
    }

    /// <summary>
    /// Checks packed track data: digits and separators, left-aligned, an odd count padded on the right with F.
    /// Returns the index of the first bad byte, or -1.
    /// </summary>
    public static int ValidateTrack(ReadOnlySpan<byte> packed, int characters)
    {
        for (int i = 0; i < packed.Length; i++)
        {
            int hi = packed[i] >> 4, lo = packed[i] & 0xF;
            bool lastPadded = (characters & 1) != 0 && i == packed.Length - 1;
            if (!IsTrackNibble(hi)) return i;
            if (lastPadded ? lo != PadNibble && lo != 0 : !IsTrackNibble(lo)) return i;
        }
        return -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsTrackNibble(int n) => n <= 9 || n == SeparatorNibble;

    /// <summary>Unpacks right-aligned numeric BCD into ASCII digits.</summary>
    public static void UnpackNumeric(ReadOnlySpan<byte> packed, int digits, Span<byte> ascii)
    {
        int nibble = (packed.Length * 2) - digits; // 0 or 1 leading pad nibble
        for (int i = 0; i < digits; i++, nibble++)
        {
            int b = packed[nibble >> 1];
            ascii[i] = (byte)('0' + ((nibble & 1) == 0 ? b >> 4 : b & 0xF));
        }
    }

    /// <summary>Unpacks left-aligned track BCD into ASCII ('=' for the separator).</summary>
    public static void UnpackTrack(ReadOnlySpan<byte> packed, int characters, Span<byte> ascii)
    {
        for (int i = 0; i < characters; i++)
        {
            int b = packed[i >> 1];
            int n = (i & 1) == 0 ? b >> 4 : b & 0xF;
            ascii[i] = n == SeparatorNibble ? (byte)'=' : (byte)('0' + n);
        }
    }

    /// <summary>Packs ASCII digits right-aligned (leading zero nibble when odd). Returns bytes written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PackNumeric(ReadOnlySpan<byte> ascii, Span<byte> packed)
    {
        int bytes = (ascii.Length + 1) >> 1;
        packed = packed[..bytes];
        int i = 0, o = 0;
        if ((ascii.Length & 1) != 0)
        {
            packed[0] = (byte)(ascii[0] - '0');
            i = o = 1;
        }
        // Eight digits at a time into four bytes, then two digits per byte, high nibble first.
        for (; o + 4 <= packed.Length; i += 8, o += 4) BinaryPrimitives.WriteUInt32LittleEndian(packed[o..], PackEight(ascii[i..]));
        for (; o < packed.Length; i += 2, o++) packed[o] = (byte)(((ascii[i] - '0') << 4) | (ascii[i + 1] - '0'));
        return bytes;
    }

    /// <summary>
    /// Eight ASCII digits to four packed bytes (as a little-endian word): with the digits d0…d7 in the bytes of one
    /// word, (x &lt;&lt; 4) | (x &gt;&gt; 8) holds d0d1, d2d3, d4d5, d6d7 in its even bytes, which are then gathered.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint PackEight(ReadOnlySpan<byte> ascii)
    {
        ulong x = BinaryPrimitives.ReadUInt64LittleEndian(ascii) - 0x3030303030303030UL;
        ulong pairs = ((x << 4) | (x >> 8)) & 0x00FF00FF00FF00FFUL;
        pairs = (pairs | (pairs >> 8)) & 0x0000FFFF0000FFFFUL;
        return (uint)(pairs | (pairs >> 16));
    }

    /// <summary>Writes <paramref name="value"/> (non-negative) right-aligned into all of <paramref name="packed"/>, zero-padded.</summary>
    public static void WriteNumber(long value, Span<byte> packed)
    {
        int i = packed.Length - 1;
        for (; i >= 0 && value != 0; i--)
        {
            (value, long two) = Math.DivRem(value, 100);
            packed[i] = ToBcdByte((int)two);
        }
        for (; i >= 0; i--) packed[i] = 0;
    }

    /// <summary>0–99 as one packed byte: the tens go up one nibble, which is adding 6 per ten.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte ToBcdByte(int two) => (byte)(two + (6 * (two / 10)));

    /// <summary>Packs track characters left-aligned ('=' or 'D' as separator, F pad when odd). Returns bytes written.</summary>
    public static int PackTrack(ReadOnlySpan<byte> ascii, Span<byte> packed)
    {
        int pairs = ascii.Length >> 1;
        for (int i = 0; i < pairs; i++) packed[i] = (byte)((TrackNibble(ascii[2 * i]) << 4) | TrackNibble(ascii[(2 * i) + 1]));
        if ((ascii.Length & 1) == 0) return pairs;
        packed[pairs] = (byte)((TrackNibble(ascii[^1]) << 4) | PadNibble);
        return pairs + 1;
    }

    /// <summary>A digit's value, or the separator nibble for '=' ('=' − '0' is already 0xD) and 'D'.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int TrackNibble(byte c) => c == (byte)'D' ? SeparatorNibble : c - '0';

    /// <summary>Reads a right-aligned BCD number (a length prefix). Returns -1 when a nibble is not a digit.</summary>
    public static int ReadNumber(ReadOnlySpan<byte> packed)
    {
        int value = 0;
        foreach (byte b in packed)
        {
            int hi = b >> 4, lo = b & 0xF;
            if (hi > 9 || lo > 9) return -1;
            value = (value * 100) + (hi * 10) + lo;
        }
        return value;
    }

    /// <summary>Writes <paramref name="value"/> right-aligned into <paramref name="packed"/> as BCD.</summary>
    public static void WriteNumber(int value, Span<byte> packed) => WriteNumber((long)value, packed);
}
