using System.Diagnostics;

namespace PaymentSwitch.LoadTest.Internal;

/// <summary>The Luhn (mod 10) check digit of card numbers.</summary>
internal static class Luhn
{
    /// <summary>The check digit (as an ASCII digit) to append to <paramref name="payload"/> (ASCII digits).</summary>
    public static byte CheckDigit(ReadOnlySpan<byte> payload)
    {
        int sum = 0;
        bool doubleIt = true; // the rightmost payload digit is doubled once the check digit is appended
        for (int i = payload.Length - 1; i >= 0; i--)
        {
            int d = payload[i] - '0';
            Debug.Assert((uint)d <= 9, "payload must be ASCII digits");
            if (doubleIt)
            {
                d *= 2;
                if (d > 9) d -= 9;
            }
            sum += d;
            doubleIt = !doubleIt;
        }
        return (byte)('0' + ((10 - (sum % 10)) % 10));
    }

    /// <summary>True when <paramref name="number"/> (ASCII digits, check digit last) passes the Luhn check.</summary>
    public static bool IsValid(ReadOnlySpan<byte> number)
        => number.Length >= 2 && CheckDigit(number[..^1]) == number[^1];
}
