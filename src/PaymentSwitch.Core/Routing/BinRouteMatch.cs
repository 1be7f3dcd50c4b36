using System.Diagnostics.CodeAnalysis;

namespace PaymentSwitch.Core.Routing;

/// <summary>
/// The answer of a lookup: which route (and issuer) the card number goes to, in which table snapshot. A small
/// struct; reading <see cref="IssuerId"/> allocates nothing. The default value means "no route".
/// </summary>
public readonly struct BinRouteMatch
{
    private readonly int _routeIndex;
    private readonly int _issuerIndex;

    internal BinRouteMatch(BinRoutingTable table, BinRouteMatchStatus status, int routeIndex, int issuerIndex)
    {
        Table = table;
        Status = status;
        _routeIndex = routeIndex;
        _issuerIndex = issuerIndex;
    }

    /// <summary>The snapshot that answered (its <see cref="BinRoutingTable.Version"/> belongs in the log line).</summary>
    public BinRoutingTable? Table { get; }

    /// <summary>Whether a route matched, and if not, why.</summary>
    public BinRouteMatchStatus Status { get; }

    /// <summary>True when a route matched.</summary>
    [MemberNotNullWhen(true, nameof(IssuerId), nameof(Table))]
    public bool IsMatch => Status == BinRouteMatchStatus.Matched;

    /// <summary>Position of the matched route in <see cref="BinRoutingTable.Routes"/> (the configuration), or -1.</summary>
    public int RouteIndex => IsMatch ? _routeIndex : -1;

    /// <summary>Position of the issuer in <see cref="BinRoutingTable.Issuers"/> of the same snapshot, or -1.</summary>
    public int IssuerIndex => IsMatch ? _issuerIndex : -1;

    /// <summary>The issuer that receives the authorisation, or <see langword="null"/> when nothing matched.</summary>
    public string? IssuerId => IsMatch ? Table.IssuerIdAt(_issuerIndex) : null;

    /// <summary>The matched route as configured (allocates: for diagnostics, not the authorisation path).</summary>
    public BinRoute? Route => IsMatch ? Table.Routes[_routeIndex] : null;

    /// <summary>E.g. <c>matched routes[3] (prefix "476173" -> card-sim) in version 7</c>.</summary>
    public override string ToString() => Status switch
    {
        BinRouteMatchStatus.Matched => $"matched routes[{_routeIndex}] ({Route}) in version {Table!.Version}",
        BinRouteMatchStatus.InvalidPan => "invalid card number",
        _ => Table is null ? "no route" : $"no route in version {Table.Version}",
    };
}
