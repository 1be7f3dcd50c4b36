using System.Text;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Host.Status;

/// <summary>
/// Last line of defence for text the endpoint echoes from a request (error messages about a routes document): any run
/// of 12 or more digits, which could be a card number, is masked (first 6, last 4).
/// </summary>
internal static class CardNumberRedaction
{
    public const int MinCardDigits = 12;

    public static string Redact(string text)
    {
        int run = 0;
        bool any = false;
        foreach (char c in text)
        {
            run = char.IsAsciiDigit(c) ? run + 1 : 0;
            if (run >= MinCardDigits) { any = true; break; }
        }
        if (!any) return text;

        var result = new StringBuilder(text.Length);
        int i = 0;
        while (i < text.Length)
        {
            int start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
            if (i > start)
            {
                string digits = text[start..i];
                result.Append(digits.Length >= MinCardDigits ? PanMask.Mask(digits) : digits);
            }
            if (i < text.Length) result.Append(text[i++]);
        }
        return result.ToString();
    }
}
