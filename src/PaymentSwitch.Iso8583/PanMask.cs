namespace PaymentSwitch.Iso8583;

/// <summary>
/// Masks card numbers for people: the first 6 and last 4 digits stay, the rest become <c>*</c>. A number too short
/// to keep 10 digits and still hide at least 3 is hidden but for its last 4 (or entirely when 4 or fewer).
/// </summary>
public static class PanMask
{
    /// <summary>Writes the masked form of <paramref name="pan"/> (ASCII digits) into <paramref name="destination"/>; returns chars written.</summary>
    public static int Mask(ReadOnlySpan<byte> pan, Span<char> destination)
    {
        int n = Math.Min(pan.Length, destination.Length);
        int keepFirst = pan.Length >= 13 ? 6 : 0;
        int keepLast = pan.Length > 4 ? 4 : 0;
        for (int i = 0; i < n; i++)
        {
            bool keep = i < keepFirst || i >= pan.Length - keepLast;
            destination[i] = keep ? (char)pan[i] : '*';
        }
        return n;
    }

    /// <summary>The masked form of <paramref name="pan"/> as a string (allocates; for logs and tools).</summary>
    public static string Mask(ReadOnlySpan<byte> pan)
    {
        Span<char> buffer = pan.Length <= 64 ? stackalloc char[pan.Length] : new char[pan.Length];
        int n = Mask(pan, buffer);
        return new string(buffer[..n]);
    }

    /// <summary>The masked form of <paramref name="pan"/> as a string.</summary>
    public static string Mask(string pan)
    {
        Span<byte> ascii = pan.Length <= 64 ? stackalloc byte[pan.Length] : new byte[pan.Length];
        for (int i = 0; i < pan.Length; i++) ascii[i] = (byte)pan[i];
        return Mask(ascii);
    }
}
