using System.Diagnostics;

namespace PaymentSwitch.LoadTest.Internal;

/// <summary>Fixed-width, zero-padded ASCII numbers without allocation.</summary>
internal static class AsciiDigits
{
    /// <summary>Fills <paramref name="destination"/> with <paramref name="value"/> right-justified, zero-padded (high digits dropped if it is too long).</summary>
    public static void Write(Span<byte> destination, long value)
    {
        Debug.Assert(value >= 0, "only non-negative numbers");
        for (int i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }

    /// <summary>Writes <paramref name="value"/> (ASCII digits) right-justified and zero-padded into <paramref name="destination"/>.</summary>
    public static void WritePadded(Span<byte> destination, ReadOnlySpan<byte> value)
    {
        Debug.Assert(value.Length <= destination.Length, "the value must fit");
        int pad = destination.Length - value.Length;
        destination[..pad].Fill((byte)'0');
        value.CopyTo(destination[pad..]);
    }
}
