using System.Diagnostics.CodeAnalysis;

namespace PaymentSwitch.Simulators;

/// <summary>
/// How a simulated issuer decides, shared by the card and the wallet issuer. Checked in this order: the card number
/// must be 12–19 digits (else 14); the expiry date, when given and <see cref="CheckExpiry"/> is on, must not be
/// before the current month (else 54); the card number must not end with <see cref="DeclinePanSuffix"/> (else 05);
/// the amount must not be above <see cref="DeclineAboveAmountMinor"/> (else 51). Everything else is approved.
/// Immutable once built; deciding allocates nothing.
/// </summary>
public sealed class IssuerRules
{
    private readonly byte[] _panSuffix = [];
    private readonly string? _panSuffixText;

    /// <summary>Amounts (minor units) strictly above this are declined with 51; null approves any amount.</summary>
    public long? DeclineAboveAmountMinor { get; init; }

    /// <summary>Card numbers ending with these digits are declined with 05; null or empty declines none.</summary>
    public string? DeclinePanSuffix
    {
        get => _panSuffixText;
        init
        {
            if (!string.IsNullOrEmpty(value) && (value.Length > 19 || !value.All(char.IsAsciiDigit)))
                throw new ArgumentException($"The card-number suffix to decline must be 1 to 19 digits, not '{value}'.", nameof(DeclinePanSuffix));
            _panSuffixText = string.IsNullOrEmpty(value) ? null : value;
            _panSuffix = _panSuffixText is null ? [] : System.Text.Encoding.ASCII.GetBytes(_panSuffixText);
        }
    }

    /// <summary>When true (the default), a DE14 expiry date (YYMM) before the current month declines with 54.</summary>
    public bool CheckExpiry { get; init; } = true;

    /// <summary>The clock that says what "the current month" is (UTC).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Approve everything with a valid card number and expiry.</summary>
    public static IssuerRules Default { get; } = new();

    /// <summary>
    /// Decides one authorisation. <paramref name="pan"/> is the card number as ASCII digits, <paramref name="expiryYymm"/>
    /// the DE14 expiry as four ASCII digits or empty when the request carries none.
    /// </summary>
    public IssuerDecision Decide(long amountMinor, ReadOnlySpan<byte> pan, ReadOnlySpan<byte> expiryYymm)
    {
        if (pan.Length is < 12 or > 19 || pan.ContainsAnyExceptInRange((byte)'0', (byte)'9')) return IssuerDecision.InvalidCardNumber;
        if (CheckExpiry && !expiryYymm.IsEmpty && IsExpired(expiryYymm)) return IssuerDecision.ExpiredCard;
        if (_panSuffix.Length > 0 && pan.EndsWith(_panSuffix)) return IssuerDecision.DoNotHonour;
        if (amountMinor > DeclineAboveAmountMinor) return IssuerDecision.InsufficientFunds;
        return IssuerDecision.Approved;
    }

    private bool IsExpired(ReadOnlySpan<byte> yymm)
    {
        if (yymm.Length != 4 || yymm.ContainsAnyExceptInRange((byte)'0', (byte)'9')) return true;
        int year = ((yymm[0] - '0') * 10) + (yymm[1] - '0');
        int month = ((yymm[2] - '0') * 10) + (yymm[3] - '0');
        if (month is < 1 or > 12) return true;
        DateTimeOffset now = TimeProvider.GetUtcNow();
        return (year * 100) + month < ((now.Year % 100) * 100) + now.Month;
    }

    /// <summary>The two-character ISO 8583 response code (DE39) of a decision.</summary>
    public static string ResponseCodeOf(IssuerDecision decision) => decision switch
    {
        IssuerDecision.Approved => "00",
        IssuerDecision.InvalidCardNumber => "14",
        IssuerDecision.ExpiredCard => "54",
        IssuerDecision.DoNotHonour => "05",
        IssuerDecision.InsufficientFunds => "51",
        _ => ThrowUnknown(decision),
    };

    /// <summary>A short reason for people (never card data).</summary>
    public static string ReasonOf(IssuerDecision decision) => decision switch
    {
        IssuerDecision.Approved => "approved",
        IssuerDecision.InvalidCardNumber => "invalid card number",
        IssuerDecision.ExpiredCard => "expired card",
        IssuerDecision.DoNotHonour => "do not honour",
        IssuerDecision.InsufficientFunds => "insufficient funds",
        _ => ThrowUnknown(decision),
    };

    [DoesNotReturn]
    private static string ThrowUnknown(IssuerDecision decision)
        => throw new ArgumentOutOfRangeException(nameof(decision), decision, "Unknown issuer decision.");

    public override string ToString()
        => $"decline-above={DeclineAboveAmountMinor?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}, decline-pan-suffix={(_panSuffixText is null ? "none" : "'" + _panSuffixText + "'")}, expiry-check={(CheckExpiry ? "on" : "off")}";
}
