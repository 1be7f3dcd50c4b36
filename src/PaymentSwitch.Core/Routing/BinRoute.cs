namespace PaymentSwitch.Core.Routing;

/// <summary>
/// One line of the BIN routing configuration, exactly as the operator wrote it: either a prefix
/// (<c>476173</c>) or a range of equal-length digit strings (<c>510000</c>–<c>559999</c>), and the issuer that
/// receives authorisations for card numbers that start with it.
/// </summary>
/// <remarks>
/// <para>The factories do not validate the digits: <see cref="BinRoutingTable.TryBuild"/> does, so that every
/// error can name the entry by its position. A prefix is the range whose low and high ends are equal
/// (<c>476173</c> is <c>476173</c>–<c>476173</c>); the two forms differ only in how they are shown.</para>
/// <para>A route of length <c>L</c> matches a card number when the card number has at least <c>L</c> digits and
/// its first <c>L</c> digits, read as a number, lie within <see cref="Low"/>..<see cref="High"/>.</para>
/// </remarks>
public sealed record BinRoute
{
    private BinRoute(BinRouteKind kind, string low, string high, string issuerId)
    {
        Kind = kind;
        Low = low;
        High = high;
        IssuerId = issuerId;
    }

    /// <summary>Whether the operator wrote a prefix or a range.</summary>
    public BinRouteKind Kind { get; }

    /// <summary>Low end of the range (the prefix itself for <see cref="BinRouteKind.Prefix"/>).</summary>
    public string Low { get; }

    /// <summary>High end of the range, inclusive (the prefix itself for <see cref="BinRouteKind.Prefix"/>).</summary>
    public string High { get; }

    /// <summary>The prefix, or <see langword="null"/> for a range.</summary>
    public string? Prefix => Kind == BinRouteKind.Prefix ? Low : null;

    /// <summary>Identifier of the issuer that receives matching authorisations.</summary>
    public string IssuerId { get; }

    /// <summary>A route for every card number that starts with <paramref name="prefix"/>.</summary>
    public static BinRoute ForPrefix(string prefix, string issuerId)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(issuerId);
        return new BinRoute(BinRouteKind.Prefix, prefix, prefix, issuerId);
    }

    /// <summary>A route for every card number whose first <c>low.Length</c> digits lie within low..high (inclusive).</summary>
    public static BinRoute ForRange(string low, string high, string issuerId)
    {
        ArgumentNullException.ThrowIfNull(low);
        ArgumentNullException.ThrowIfNull(high);
        ArgumentNullException.ThrowIfNull(issuerId);
        return new BinRoute(BinRouteKind.Range, low, high, issuerId);
    }

    /// <summary>Short description for messages, e.g. <c>prefix 476173 -> card-sim</c>.</summary>
    public override string ToString() => Kind == BinRouteKind.Prefix
        ? $"prefix {Internal.RouteText.Show(Low)} -> {IssuerId}"
        : $"range {Internal.RouteText.Show(Low)}-{Internal.RouteText.Show(High)} -> {IssuerId}";
}
