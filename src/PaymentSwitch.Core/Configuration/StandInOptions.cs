namespace PaymentSwitch.Core.Configuration;

/// <summary>
/// Stand-in processing (STIP) for one issuer: while it is unavailable (breaker open, no signed-on link) or when it does
/// not answer in time, the switch approves on its behalf within these limits, journals the decision before answering,
/// and sends the issuer a 0120 advice for each stand-in approval once it is back.
/// </summary>
public sealed class StandInOptions
{
    public bool Enabled { get; set; }

    /// <summary>Largest amount (minor units) approved in stand-in for one transaction.</summary>
    public long MaxAmountMinor { get; set; } = 10_000;

    /// <summary>Largest total (minor units) approved in stand-in for one card in one UTC day.</summary>
    public long MaxDailyAmountPerCardMinor { get; set; } = 30_000;

    /// <summary>Currencies (ISO 4217 numeric) that may be approved in stand-in; empty allows none.</summary>
    public List<string> Currencies { get; set; } = ["978"];

    /// <summary>Merchant category codes (DE18) never approved in stand-in.</summary>
    public List<string> ExcludedMerchantCategories { get; set; } = [];

    /// <summary>
    /// Cards tracked for the daily limit (a bound on memory). Cards of earlier days are forgotten; when this many
    /// cards were approved in stand-in today, a further card is declined.
    /// </summary>
    public int MaxTrackedCards { get; set; } = 1_000_000;
}
