using System.Collections;

namespace PaymentSwitch.Core.Routing.Internal;

/// <summary>
/// The table's routes in configuration order, rebuilt as <see cref="BinRoute"/> objects on access (the table
/// keeps only the compact form). For GET /routes and diagnostics, not for the authorisation path.
/// </summary>
internal sealed class RouteListView(RouteRecord[] routes, string[] issuers) : IReadOnlyList<BinRoute>
{
    public int Count => routes.Length;

    public BinRoute this[int index]
    {
        get
        {
            ref readonly RouteRecord route = ref routes[index];
            string issuer = issuers[route.IssuerIndex];
            string low = RouteText.Digits(route.Low, route.Length);
            return route.IsPrefix
                ? BinRoute.ForPrefix(low, issuer)
                : BinRoute.ForRange(low, RouteText.Digits(route.High, route.Length), issuer);
        }
    }

    public IEnumerator<BinRoute> GetEnumerator()
    {
        for (int i = 0; i < routes.Length; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
