using System.Globalization;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Simulators.Tests.Support;

/// <summary>Builds the requests a switch sends to a card issuer.</summary>
internal static class Requests
{
    /// <summary>A test card number: its clear form must never show up in logs or files.</summary>
    public const string Pan = "4761739001010010";
    public const string MaskedPan = "476173******0010";
    public const string De7 = "1122103000";
    public const string Acquirer = "12345";

    public static IsoMessageBuilder Authorisation(int stan, long amountMinor, string pan = Pan, string de7 = De7, string acquirer = Acquirer,
        string? expiry = null, int mti = Mti.AuthorisationRequest, Dialect? dialect = null)
    {
        var b = new IsoMessageBuilder(dialect ?? TestDialects.Ascii);
        b.Reset(mti)
            .SetString(2, pan)
            .SetString(3, "000000")
            .SetNumber(4, amountMinor)
            .SetString(7, de7)
            .SetNumber(11, stan)
            .SetString(12, "103000")
            .SetString(13, "1122")
            .SetString(32, acquirer)
            .SetString(37, "RRN" + stan.ToString("D9", CultureInfo.InvariantCulture))
            .SetString(41, "TERM0001")
            .SetString(42, "MERCHANT0000001")
            .SetString(49, "978");
        if (expiry is not null) b.SetString(14, expiry);
        return b;
    }

    /// <summary>An advice (0120) carrying its stand-in approval code.</summary>
    public static IsoMessageBuilder Advice(int stan, long amountMinor, string approvalCode = "S12345", string acquirer = Acquirer, int mti = Mti.AuthorisationAdvice)
        => Authorisation(stan, amountMinor, acquirer: acquirer, mti: mti).SetString(38, approvalCode);

    /// <summary>A reversal (0420 by default) of the transaction (originalStan, originalDe7, originalAcquirer), with its own STAN.</summary>
    public static IsoMessageBuilder Reversal(int stan, long amountMinor, int originalStan, string originalDe7 = De7, string originalAcquirer = Acquirer,
        int mti = Mti.ReversalAdvice, int originalMti = Mti.AuthorisationRequest, string acquirer = Acquirer, bool withDe90 = true)
    {
        IsoMessageBuilder b = Authorisation(stan, amountMinor, acquirer: acquirer, mti: mti);
        if (withDe90) b.SetString(90, De90(originalMti, originalStan, originalDe7, originalAcquirer));
        return b;
    }

    public static string De90(int originalMti, int originalStan, string originalDe7, string originalAcquirer)
        => string.Create(CultureInfo.InvariantCulture, $"{originalMti:D4}{originalStan:D6}{originalDe7}{long.Parse(originalAcquirer, CultureInfo.InvariantCulture):D11}{0:D11}");

    public static IsoMessageBuilder NetworkManagement(int stan, string code, Dialect? dialect = null)
        => new IsoMessageBuilder(dialect ?? TestDialects.Ascii).Reset(Mti.NetworkManagementRequest)
            .SetString(7, De7).SetNumber(11, stan).SetString(70, code);

    public static string Text(this IsoMessage message, int field)
        => message.TryGetString(field, out string? value) ? value : throw new Xunit.Sdk.XunitException($"DE{field} is absent");
}
