using PaymentSwitch.Core.Routing;

namespace PaymentSwitch.Core.Tests.Routing;

/// <summary>
/// The slow reference: tries every route against the PAN and applies the documented specificity rule directly
/// (more digits, then narrower, then earlier entry). Shares no code with the table.
/// </summary>
internal sealed class RouteOracle
{
    private readonly (int Length, long Low, long High, string Issuer)[] _routes;

    public RouteOracle(IReadOnlyList<BinRoute> routes)
    {
        _routes = new (int, long, long, string)[routes.Count];
        for (int i = 0; i < routes.Count; i++)
        {
            _routes[i] = (routes[i].Low.Length, long.Parse(routes[i].Low), long.Parse(routes[i].High), routes[i].IssuerId);
        }
    }

    /// <summary>Index of the winning route, -1 for no route, -2 for input that is not a PAN.</summary>
    public int Find(string pan)
    {
        if (pan.Length is 0 or > 19 || pan.Any(c => c is < '0' or > '9'))
        {
            return -2;
        }

        int best = -1;
        for (int i = 0; i < _routes.Length; i++)
        {
            var (length, low, high, _) = _routes[i];
            if (pan.Length < length)
            {
                continue;
            }

            long head = long.Parse(pan.AsSpan(0, length));
            if (head < low || head > high)
            {
                continue;
            }

            if (best < 0 || MoreSpecific(i, best))
            {
                best = i;
            }
        }

        return best;
    }

    public string IssuerOf(int index) => _routes[index].Issuer;

    private bool MoreSpecific(int candidate, int incumbent)
    {
        var c = _routes[candidate];
        var b = _routes[incumbent];
        if (c.Length != b.Length)
        {
            return c.Length > b.Length;
        }

        if (c.High - c.Low != b.High - b.Low)
        {
            return c.High - c.Low < b.High - b.Low;
        }

        return candidate < incumbent;
    }
}
