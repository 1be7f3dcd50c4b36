namespace PaymentSwitch.Core.Routing;

/// <summary>Outcome of a BIN routing lookup.</summary>
public enum BinRouteMatchStatus
{
    /// <summary>The card number is well formed but no route covers it (response code 15, no such issuer).</summary>
    NoRoute = 0,

    /// <summary>A route covers the card number; the match names it and its issuer.</summary>
    Matched = 1,

    /// <summary>
    /// The input is not a card number: empty, longer than 19 characters, or not all ASCII digits (response code
    /// 14, invalid card number). Never an exception.
    /// </summary>
    InvalidPan = 2,
}
