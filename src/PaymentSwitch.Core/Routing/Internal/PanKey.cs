using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace PaymentSwitch.Core.Routing.Internal;

/// <summary>
/// Turns the leading digits of a card number into the 11-digit integer key the table is searched with. A PAN
/// with fewer than 11 digits is padded on the right with zeros (and the digit count is kept, because a route
/// longer than the PAN must not match it).
/// </summary>
internal static class PanKey
{
    /// <summary>Digits in a key; also the longest route.</summary>
    public const int KeyDigits = 11;

    /// <summary>Longest card number accepted (ISO/IEC 7812).</summary>
    public const int MaxPanDigits = 19;

    /// <summary>First value past the key space (10^11).</summary>
    public const long KeySpaceEnd = 100_000_000_000;

    /// <summary>Bits needed for a key: 2^37 &gt; 10^11.</summary>
    public const int KeyBits = 37;

    private const ulong AsciiZeros = 0x3030_3030_3030_3030UL;
    private const ulong HighNibbles = 0xF0F0_F0F0_F0F0_F0F0UL;
    private const ulong Sixes = 0x0606_0606_0606_0606UL;

    /// <summary>10^(11 - length): multiplying a route end of <c>length</c> digits by it gives its key.</summary>
    private static ReadOnlySpan<long> Scales =>
    [
        100_000_000_000, 10_000_000_000, 1_000_000_000, 100_000_000, 10_000_000, 1_000_000,
        100_000, 10_000, 1_000, 100, 10, 1,
    ];

    public static long ScaleOf(int length)
    {
        Debug.Assert(length is >= 0 and <= KeyDigits);
        return Scales[length];
    }

    /// <summary>
    /// Reads the key of <paramref name="pan"/>. Returns the number of digits (1..19), or 0 when the input is not
    /// a card number (empty, longer than 19, or anything other than ASCII digits).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Parse(ReadOnlySpan<byte> pan, out long key)
    {
        int length = pan.Length;
        if ((uint)(length - 1) >= MaxPanDigits)
        {
            key = 0;
            return 0;
        }

        ref byte first = ref MemoryMarshal.GetReference(pan);
        if (length >= KeyDigits && BitConverter.IsLittleEndian)
        {
            // Three overlapping 8-byte words cover every byte of an 11..19 digit PAN.
            ulong head = Unsafe.ReadUnaligned<ulong>(ref first);
            ulong middle = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref first, Math.Min(8, length - 8)));
            ulong tail = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref first, length - 8));
            if (!AreDigits(head) || !AreDigits(middle) || !AreDigits(tail))
            {
                key = 0;
                return 0;
            }

            key = (ParseEightDigits(head) * 1000L)
                + ((Unsafe.Add(ref first, 8) - '0') * 100)
                + ((Unsafe.Add(ref first, 9) - '0') * 10)
                + (Unsafe.Add(ref first, 10) - '0');
            Debug.Assert((ulong)key < KeySpaceEnd);
            return length;
        }

        return ParseSlow(pan, out key);
    }

    /// <summary>Same as <see cref="Parse(ReadOnlySpan{byte}, out long)"/> for UTF-16 input.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Parse(ReadOnlySpan<char> pan, out long key)
    {
        int length = pan.Length;
        if ((uint)(length - 1) >= MaxPanDigits)
        {
            key = 0;
            return 0;
        }

        if (length >= KeyDigits && Vector128.IsHardwareAccelerated && BitConverter.IsLittleEndian)
        {
            // Three overlapping 8-char vectors cover every char of an 11..19 digit PAN; any char above 0x7F fails
            // before narrowing (which keeps only the low byte), then the bytes take the ASCII path.
            ref ushort first = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(pan));
            Vector128<ushort> head = Vector128.LoadUnsafe(ref first);
            Vector128<ushort> middle = Vector128.LoadUnsafe(ref first, (nuint)Math.Min(8, length - 8));
            Vector128<ushort> tail = Vector128.LoadUnsafe(ref first, (nuint)(length - 8));
            if (((head | middle | tail) & Vector128.Create((ushort)0xFF80)) != Vector128<ushort>.Zero)
            {
                key = 0;
                return 0;
            }

            Vector128<ulong> headAndMiddle = Vector128.Narrow(head, middle).AsUInt64();
            ulong headBytes = headAndMiddle.GetElement(0);
            ulong middleBytes = headAndMiddle.GetElement(1);
            ulong tailBytes = Vector128.Narrow(tail, tail).AsUInt64().GetElement(0);
            if (!AreDigits(headBytes) || !AreDigits(middleBytes) || !AreDigits(tailBytes))
            {
                key = 0;
                return 0;
            }

            // Chars 8..10 lie in the middle or tail vector, so they were checked above.
            ref char chars = ref MemoryMarshal.GetReference(pan);
            key = (ParseEightDigits(headBytes) * 1000L)
                + ((Unsafe.Add(ref chars, 8) - '0') * 100)
                + ((Unsafe.Add(ref chars, 9) - '0') * 10)
                + (Unsafe.Add(ref chars, 10) - '0');
            Debug.Assert((ulong)key < KeySpaceEnd);
            return length;
        }

        return ParseSlow(pan, out key);
    }

    /// <summary>Digit by digit: short PANs, and machines without the fast paths.</summary>
    private static int ParseSlow<TUnit>(ReadOnlySpan<TUnit> pan, out long key)
        where TUnit : unmanaged, IBinaryInteger<TUnit>
    {
        long value = 0;
        int used = Math.Min(pan.Length, KeyDigits);
        for (int i = 0; i < pan.Length; i++)
        {
            uint digit = uint.CreateTruncating(pan[i]) - '0';
            if (digit > 9)
            {
                key = 0;
                return 0;
            }

            if (i < used)
            {
                value = (value * 10) + digit;
            }
        }

        key = value * Scales[used];
        return pan.Length;
    }

    /// <summary>True when all eight bytes of <paramref name="word"/> are ASCII '0'..'9'.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool AreDigits(ulong word) =>
        ((word & HighNibbles) == AsciiZeros) & (((word + Sixes) & HighNibbles) == AsciiZeros);

    /// <summary>Eight ASCII digits (first digit in the lowest byte) to their value, with three multiplications.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long ParseEightDigits(ulong word)
    {
        const ulong mask = 0x0000_00FF_0000_00FFUL;
        const ulong mul1 = 100 + (1_000_000UL << 32);
        const ulong mul2 = 1 + (10_000UL << 32);
        word -= AsciiZeros;
        word = (word * 10) + (word >> 8);
        word = (((word & mask) * mul1) + (((word >> 16) & mask) * mul2)) >> 32;
        return (long)(uint)word;
    }
}
