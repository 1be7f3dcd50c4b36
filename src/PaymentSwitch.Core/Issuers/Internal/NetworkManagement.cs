using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Core.Issuers.Internal;

/// <summary>0800 network management messages the switch sends to card issuers.</summary>
internal static class NetworkManagement
{
    public const int SignOn = 1;
    public const int SignOff = 2;
    public const int Echo = 301;

    public static void Build(IsoMessageBuilder builder, Dialect dialect, int stan, int code)
    {
        DateTime now = DateTime.UtcNow;
        long transmission = (((((long)now.Month * 100) + now.Day) * 100 + now.Hour) * 100 + now.Minute) * 100 + now.Second;
        builder.Reset(dialect, Mti.NetworkManagementRequest)
            .SetNumber(7, transmission)
            .SetNumber(11, stan)
            .SetNumber(70, code);
    }
}
