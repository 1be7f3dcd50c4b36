using System.Globalization;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Host;

/// <summary>
/// The fields a POS terminal sends in an 0100/0200, as the <c>send</c> verb and the warm-up build them: card, amount,
/// times, STAN, entry mode, acquirer, RRN, terminal and merchant, currency. DE14 is the caller's to add.
/// </summary>
internal static class TerminalRequest
{
    public static IsoMessageBuilder Authorisation(IsoMessageBuilder builder, int mti, ReadOnlySpan<byte> pan, long amount, int stan, DateTime now,
        string acquirer, string terminal, string merchant, string currency) =>
        builder.Reset(mti)
            .SetAscii(2, pan)
            .SetNumber(3, 0)
            .SetNumber(4, amount)
            .SetString(7, now.ToString("MMddHHmmss", CultureInfo.InvariantCulture))
            .SetNumber(11, stan)
            .SetString(12, now.ToString("HHmmss", CultureInfo.InvariantCulture))
            .SetString(13, now.ToString("MMdd", CultureInfo.InvariantCulture))
            .SetNumber(22, 51)
            .SetNumber(25, 0)
            .SetString(32, acquirer)
            .SetString(37, $"{now:yyMMdd}{stan:D6}")
            .SetString(41, terminal)
            .SetString(42, merchant)
            .SetString(49, currency);
}
