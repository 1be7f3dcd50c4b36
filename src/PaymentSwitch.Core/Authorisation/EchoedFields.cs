namespace PaymentSwitch.Core.Authorisation;

/// <summary>Which fields travel where.</summary>
internal static class EchoedFields
{
    /// <summary>Fields that identify the transaction, echoed from the acquirer's request into every reply.</summary>
    public static ReadOnlySpan<byte> Identity => [2, 3, 4, 7, 11, 12, 13, 32, 37, 41, 42, 49];

    /// <summary>Fields of the issuer's answer passed back to the acquirer (beside DE39).</summary>
    public static ReadOnlySpan<byte> FromIssuer => [38, 44, 54, 55];

    /// <summary>Fields echoed in a network management (0810) answer.</summary>
    public static ReadOnlySpan<byte> NetworkManagement => [7, 11, 70];

    /// <summary>True for fields the switch does not copy from the acquirer's request to the issuer.</summary>
    public static bool IsReplacedTowardsIssuer(int field) => field is 11 or 33 or 37 or 64 or 128;
}
