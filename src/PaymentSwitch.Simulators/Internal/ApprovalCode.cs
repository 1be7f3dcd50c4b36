namespace PaymentSwitch.Simulators.Internal;

/// <summary>
/// Six-character approval codes (DE38, the wallet's <c>approvalCode</c>) derived from the transaction's key, so a
/// repeat of an approved request gets the same code without the code being stored.
/// </summary>
internal static class ApprovalCode
{
    public const int Length = 6;

    private static ReadOnlySpan<byte> Alphabet => "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"u8;

    /// <summary>Writes six characters from [0-9A-Z] derived from <paramref name="seed"/>.</summary>
    public static void Write(ulong seed, Span<byte> destination)
    {
        ulong mixed = (seed ^ (seed >> 29)) * 0xBF58476D1CE4E5B9UL;
        mixed ^= mixed >> 32;
        for (int i = 0; i < Length; i++)
        {
            destination[i] = Alphabet[(int)(mixed % 36)];
            mixed /= 36;
        }
    }

    /// <summary>The code as a string (allocates; the wallet's JSON path).</summary>
    public static string Create(ulong seed)
    {
        Span<byte> code = stackalloc byte[Length];
        Write(seed, code);
        return System.Text.Encoding.ASCII.GetString(code);
    }
}
