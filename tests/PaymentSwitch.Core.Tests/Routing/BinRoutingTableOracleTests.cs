using System.Text;
using PaymentSwitch.Core.Routing;

namespace PaymentSwitch.Core.Tests.Routing;

/// <summary>The table against a brute-force reference on random, heavily overlapping routes.</summary>
public sealed class BinRoutingTableOracleTests
{
    [Theory]
    [InlineData(1, 50, 20_000)]
    [InlineData(2, 500, 20_000)]
    [InlineData(3, 3_000, 20_000)]
    [InlineData(4, 3_000, 20_000)]
    [InlineData(5, 6_000, 10_000)]
    public void Table_agrees_with_brute_force_on_random_routes_and_pans(int seed, int routeCount, int panCount)
    {
        var random = new Random(seed);
        List<BinRoute> routes = RouteGenerator.Routes(random, routeCount, "issuer-");
        List<string> pans = RouteGenerator.Pans(random, routes, panCount);
        var table = BinRoutingTable.Build(routes);
        var oracle = new RouteOracle(routes);

        int matched = 0;
        int shortPans = 0;
        foreach (string pan in pans)
        {
            int expected = oracle.Find(pan);
            BinRouteMatch fromBytes = table.Lookup(Encoding.Latin1.GetBytes(pan));
            BinRouteMatch fromChars = table.Lookup(pan.AsSpan());
            foreach (BinRouteMatch actual in (ReadOnlySpan<BinRouteMatch>)[fromBytes, fromChars])
            {
                BinRouteMatchStatus expectedStatus = expected switch
                {
                    -2 => BinRouteMatchStatus.InvalidPan,
                    -1 => BinRouteMatchStatus.NoRoute,
                    _ => BinRouteMatchStatus.Matched,
                };
                if (actual.Status != expectedStatus || actual.RouteIndex != Math.Max(expected, -1))
                {
                    Assert.Fail($"seed {seed}, PAN '{pan}' ({pan.Length} chars): expected {expectedStatus} " +
                                $"routes[{expected}] {(expected >= 0 ? routes[expected] : null)}, got {actual}");
                }

                Assert.Equal(expected >= 0 ? oracle.IssuerOf(expected) : null, actual.IssuerId);
            }

            matched += expected >= 0 ? 1 : 0;
            shortPans += expected >= -1 && pan.Length < 11 ? 1 : 0;
        }

        // The data must exercise both outcomes and the short-PAN path, or the comparison proves little.
        Assert.InRange(matched, pans.Count / 10, pans.Count - (pans.Count / 10));
        Assert.True(shortPans > pans.Count / 10, $"only {shortPans} short PANs");
        Assert.True(table.SegmentCount <= (2 * routes.Count) + 1);
    }

    [Fact]
    public void Every_route_boundary_is_exact()
    {
        // Probe each route's first and last key, and one before and after, at 11 digits and more.
        var random = new Random(7);
        List<BinRoute> routes = RouteGenerator.Routes(random, 2_000, "edge-");
        var table = BinRoutingTable.Build(routes);
        var oracle = new RouteOracle(routes);
        foreach (BinRoute route in routes)
        {
            int pad = 11 - route.Low.Length;
            long first = long.Parse(route.Low + new string('0', pad));
            long last = long.Parse(route.High + new string('9', pad));
            foreach (long key in (ReadOnlySpan<long>)[first - 1, first, last, last + 1])
            {
                if (key is < 0 or > 99_999_999_999)
                {
                    continue;
                }

                string pan = key.ToString("D11") + "12345";
                Assert.Equal(oracle.Find(pan), Math.Max(table.Lookup(pan.AsSpan()).RouteIndex, -1));
            }
        }
    }
}
