using PaymentSwitch.Core.Routing;

namespace PaymentSwitch.Core.Issuers;

/// <summary>
/// The configured issuer links by id, and the translation from a routing table's issuer index to a link. The
/// translation is cached per routing-table snapshot and swapped atomically with it, so lookups take no lock.
/// </summary>
public sealed class IssuerDirectory
{
    private readonly Dictionary<string, IssuerLink> _byId;
    private sealed record Translation(BinRoutingTable Table, IssuerLink?[] Links);
    private Translation? _translation;

    public IssuerDirectory(IEnumerable<IssuerLink> links)
    {
        _byId = links.ToDictionary(l => l.Id, StringComparer.Ordinal);
        All = [.. _byId.Values];
    }

    public IssuerLink[] All { get; }

    public IssuerLink? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>The link a routing match points at; null when the route names an issuer that is not configured.</summary>
    public IssuerLink? Resolve(in BinRouteMatch match)
    {
        BinRoutingTable table = match.Table!;
        Translation? translation = Volatile.Read(ref _translation);
        if (translation is null || !ReferenceEquals(translation.Table, table))
        {
            var links = new IssuerLink?[table.Issuers.Count];
            for (int i = 0; i < links.Length; i++) links[i] = Find(table.Issuers[i]);
            translation = new Translation(table, links);
            Volatile.Write(ref _translation, translation);
        }
        int index = match.IssuerIndex;
        return (uint)index < (uint)translation.Links.Length ? translation.Links[index] : null;
    }
}
