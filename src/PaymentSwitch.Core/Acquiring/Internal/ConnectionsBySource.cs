using System.Diagnostics;
using System.Net;

namespace PaymentSwitch.Core.Acquiring.Internal;

/// <summary>
/// Open connections per remote address, for <c>MaxConnectionsPerSource</c>. Touched once when a connection is accepted
/// and once when it closes (never per frame); an address is forgotten when its last connection closes, so the table
/// holds at most one entry per open connection.
/// </summary>
internal sealed class ConnectionsBySource
{
    private readonly Dictionary<IPAddress, int> _open = [];
    private readonly Lock _lock = new();

    /// <summary>Addresses with at least one open connection.</summary>
    public int SourceCount
    {
        get
        {
            lock (_lock) return _open.Count;
        }
    }

    /// <summary>Counts one more connection from <paramref name="source"/>; false (and nothing counted) when it already has <paramref name="max"/>.</summary>
    public bool TryAdd(IPAddress source, int max)
    {
        lock (_lock)
        {
            _open.TryGetValue(source, out int open);
            if (open >= max) return false;
            _open[source] = open + 1;
            return true;
        }
    }

    /// <summary>Counts one connection from <paramref name="source"/> as closed.</summary>
    public void Remove(IPAddress source)
    {
        lock (_lock)
        {
            bool found = _open.TryGetValue(source, out int open);
            Debug.Assert(found && open > 0, "a source closed more connections than it opened");
            if (open <= 1) _open.Remove(source);
            else _open[source] = open - 1;
        }
    }

    /// <summary>The address that connections from <paramref name="remote"/> count against (IPv4-mapped IPv6 as IPv4).</summary>
    public static IPAddress SourceOf(EndPoint? remote)
    {
        if (remote is not IPEndPoint ip) return IPAddress.None;
        return ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
    }
}
