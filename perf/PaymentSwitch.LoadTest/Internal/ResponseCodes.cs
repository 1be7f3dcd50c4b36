namespace PaymentSwitch.LoadTest.Internal;

/// <summary>The DE39 values the switch and the issuer simulators set.</summary>
internal static class ResponseCodes
{
    /// <summary>Codes a valid answer may carry: 00 05 12 13 14 15 30 51 54 91 94 96.</summary>
    public static ReadOnlySpan<byte> Valid => [0, 5, 12, 13, 14, 15, 30, 51, 54, 91, 94, 96];

    public const int Approved = 0;
    public const int NoSuchIssuer = 15;

    /// <summary>Two ASCII digits as a number 0..99, or -1 for anything else.</summary>
    public static int Parse(ReadOnlySpan<byte> code)
    {
        if (code.Length != 2) return -1;
        int hi = code[0] - '0', lo = code[1] - '0';
        return (uint)hi > 9 || (uint)lo > 9 ? -1 : (hi * 10) + lo;
    }

    public static bool IsValid(int code) => code >= 0 && Valid.IndexOf((byte)code) >= 0;
}
