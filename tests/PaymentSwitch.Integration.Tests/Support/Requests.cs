using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Integration.Tests.Support;

/// <summary>Typical requests as a terminal builds them.</summary>
internal static class Requests
{
    public const string CardPan = "4761739001010010";      // routes to card-sim
    public const string WalletPan = "6270001234567897";    // routes to wallet-sim (Luhn-valid)
    public const string UnknownBinPan = "3000000000000004"; // no route (Luhn-valid)

    public static IsoMessageBuilder Authorisation(IsoMessageBuilder b, string pan, long amount, int stan, string terminal = "TERM0001", int mti = Mti.AuthorisationRequest)
    {
        DateTime now = DateTime.UtcNow;
        return b.Reset(mti)
            .SetString(2, pan)
            .SetNumber(3, 0)
            .SetNumber(4, amount)
            .SetString(7, now.ToString("MMddHHmmss"))
            .SetNumber(11, stan)
            .SetString(12, now.ToString("HHmmss"))
            .SetString(13, now.ToString("MMdd"))
            .SetNumber(22, 51)
            .SetNumber(25, 0)
            .SetString(32, "12345")
            .SetString(37, $"RRN{stan:D9}")
            .SetString(41, terminal)
            .SetString(42, "MERCHANT0000001")
            .SetString(49, "978")
            .SetString(35, pan + "=25121010000012300000")
            .SetBinary(52, [1, 2, 3, 4, 5, 6, 7, 8]);
    }

    public static string Text(IsoMessage m, int field) => m.TryGetString(field, out string? v) ? v : "<absent>";
}
