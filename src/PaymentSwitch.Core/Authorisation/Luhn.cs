namespace PaymentSwitch.Core.Authorisation;

/// <summary>The Luhn (mod 10) check digit that every card number carries.</summary>
public static class Luhn
{
    /// <summary>True when <paramref name="digits"/> are all decimal digits and pass the check.</summary>
    public static bool IsValid(ReadOnlySpan<byte> digits)
    {
        if (digits.IsEmpty) return false;
        int sum = 0;
        bool doubleIt = false;
        for (int i = digits.Length - 1; i >= 0; i--)
        {
            int d = digits[i] - '0';
            if ((uint)d > 9) return false;
            if (doubleIt)
            {
                d *= 2;
                if (d > 9) d -= 9;
            }
            sum += d;
            doubleIt = !doubleIt;
        }
        return sum % 10 == 0;
    }

    /// <summary>The check digit to append to <paramref name="payload"/> (ASCII digits).</summary>
    public static byte CheckDigit(ReadOnlySpan<byte> payload)
    {
        int sum = 0;
        bool doubleIt = true;
        for (int i = payload.Length - 1; i >= 0; i--)
        {
            int d = payload[i] - '0';
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
}
