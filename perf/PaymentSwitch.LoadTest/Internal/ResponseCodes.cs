namespace PaymentSwitch.LoadTest.Internal;

/// <summary>The DE39 values the switch and the issuer simulators set.</summary>
internal static class ResponseCodes
{
    /// <summary>Codes a valid answer may carry: 00 05 12 13 14 15 30 51 54 91 94 96.</summary>
    public static ReadOnlySpan<byte> Valid => [0, 5, 12, 13, 14, 15, 30, 51, 54, 91, 94, 96];

    public const int Approved = 0;
    public const int NoSuchIssuer = 15;

    /// <summary>Issuer or switch inoperative: the issuer was unavailable, did not answer in time, or the switch shed the request.</summary>
    public const int IssuerUnavailable = 91;

    /// <summary>System malfunction.</summary>
    public const int SystemMalfunction = 96;

    /// <summary>Two ASCII digits as a number 0..99, or -1 for anything else.</summary>
    public static int Parse(ReadOnlySpan<byte> code)
    {
        if (code.Length != 2) return -1;
        int hi = code[0] - '0', lo = code[1] - '0';
        return (uint)hi > 9 || (uint)lo > 9 ? -1 : (hi * 10) + lo;
    }

    public static bool IsValid(int code) => code >= 0 && Valid.IndexOf((byte)code) >= 0;

    /// <summary>
    /// True for 91 and 96: valid codes, but they say the switch (or the issuer behind it) failed to process the
    /// request, so a load run counts them as errors unless told to accept them.
    /// </summary>
    public static bool IsSystemFailure(int code) => code is IssuerUnavailable or SystemMalfunction;
}
