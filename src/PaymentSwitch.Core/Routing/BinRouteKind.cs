namespace PaymentSwitch.Core.Routing;

/// <summary>How a <see cref="BinRoute"/> was written in the configuration.</summary>
public enum BinRouteKind
{
    /// <summary>A single digit string: every card number that starts with it.</summary>
    Prefix = 0,

    /// <summary>A low–high pair of equal-length digit strings, both ends inclusive.</summary>
    Range = 1,
}
