using System.Globalization;
using System.Text;
using PaymentSwitch.Core.Routing;

namespace PaymentSwitch.Core.Tests.Routing;

public sealed class BinRouterTests
{
    [Fact]
    public void Reload_swaps_in_a_new_version()
    {
        var router = new BinRouter(BinRoutingTable.Empty);
        Assert.Equal(BinRouteMatchStatus.NoRoute, router.Lookup("4761731234567890"u8).Status);

        BinRouteReloadResult first = router.Reload([BinRoute.ForPrefix("4", "visa")], "test v1");
        Assert.Equal(BinRouteReloadOutcome.Swapped, first.Outcome);
        Assert.Same(BinRoutingTable.Empty, first.Previous);
        Assert.Equal(1, router.Current.Version);
        Assert.Equal("test v1", router.Current.Source);
        Assert.Equal("visa", router.Lookup("4761731234567890"u8).IssuerId);

        BinRouteReloadResult second = router.Reload([BinRoute.ForPrefix("4", "card-sim")], "test v2");
        Assert.Equal(2, second.Current.Version);
        Assert.Same(first.Current, second.Previous);
        Assert.Equal("card-sim", router.Lookup("4761731234567890".AsSpan()).IssuerId);
        Assert.Contains("version 1 -> 2", second.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_reload_keeps_the_old_table_and_says_why()
    {
        var router = new BinRouter(BinRoutingTable.Empty);
        router.Reload([BinRoute.ForPrefix("4", "visa")]);
        BinRoutingTable before = router.Current;

        BinRouteReloadResult result = router.Reload(
            [BinRoute.ForPrefix("4", "visa"), BinRoute.ForRange("51", "5", "mc")], "broken");
        Assert.Equal(BinRouteReloadOutcome.Rejected, result.Outcome);
        Assert.False(result.Succeeded);
        Assert.Same(before, router.Current);
        Assert.Same(before, result.Current);
        Assert.Equal("visa", router.Lookup("4761731234567890"u8).IssuerId);
        Assert.StartsWith("routes[1]: Low \"51\" has 2 digits", Assert.Single(result.Errors).ToString(), StringComparison.Ordinal);
        Assert.Contains("rejected; version 1 (1 routes) stays in force", result.ToString(), StringComparison.Ordinal);

        // The next good reload continues the version sequence.
        Assert.Equal(2, router.Reload([BinRoute.ForPrefix("5", "mc")]).Current.Version);
    }

    [Fact]
    public void Known_issuers_are_enforced_on_reload()
    {
        var router = new BinRouter(BinRoutingTable.Empty, new HashSet<string> { "visa" });
        Assert.Equal(BinRouteReloadOutcome.Rejected, router.Reload([BinRoute.ForPrefix("4", "vsia")]).Outcome);
        Assert.Equal(BinRouteReloadOutcome.Swapped, router.Reload([BinRoute.ForPrefix("4", "visa")]).Outcome);
    }

    [Fact]
    public void Publish_returns_the_replaced_table()
    {
        var router = new BinRouter(BinRoutingTable.Empty);
        var table = BinRoutingTable.Build([BinRoute.ForPrefix("4", "visa")], new BinRoutingTableBuildOptions { Version = 9 });
        Assert.Same(BinRoutingTable.Empty, router.Publish(table));
        Assert.Same(table, router.Current);
    }

    /// <summary>
    /// Readers hammer lookups while a writer swaps between two random tables (rebuilt on every reload) and a
    /// prebuilt million-route table. Each answer must be exactly what the snapshot that gave it says, computed
    /// independently: never a mix of two snapshots, never an exception.
    /// </summary>
    [Fact]
    public void Lookups_stay_consistent_while_tables_are_swapped()
    {
        var random = new Random(11);
        List<BinRoute> routesA = RouteGenerator.Routes(random, 1_500, "A-");
        List<BinRoute> routesB = RouteGenerator.Routes(random, 1_500, "B-");
        BinRoutingTable million = MillionRouteTable.Build();

        var pans = new List<string>(RouteGenerator.Pans(random, routesA, 1_000));
        pans.AddRange(RouteGenerator.Pans(random, routesB, 1_000));
        for (int i = 0; i < 1_000; i++)
        {
            pans.Add(RouteGenerator.RandomDigits(random, 16));
        }

        byte[][] panBytes = pans.Select(p => Encoding.Latin1.GetBytes(p)).ToArray();
        var oracleA = new RouteOracle(routesA);
        var oracleB = new RouteOracle(routesB);
        var expected = new Dictionary<string, (int Route, string? Issuer)[]>
        {
            ["A"] = pans.Select(p => Expect(oracleA.Find(p), oracleA)).ToArray(),
            ["B"] = pans.Select(p => Expect(oracleB.Find(p), oracleB)).ToArray(),
            [MillionRouteTable.Source] = pans.Select(MillionRouteTable.Expected).ToArray(),
        };

        var router = new BinRouter(million);
        using var stop = new CancellationTokenSource();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var seenSources = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        long lookups = 0;

        void Read(int seed)
        {
            var order = new Random(seed);
            long done = 0;
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    int i = order.Next(pans.Count);
                    BinRouteMatch match = (i & 1) == 0 ? router.Lookup(panBytes[i]) : router.Lookup(pans[i].AsSpan());
                    string source = match.Table?.Source ?? "(no table)";
                    seenSources.TryAdd(source, 0);
                    if (!expected.TryGetValue(source, out var answers))
                    {
                        failures.Enqueue($"answer from unknown snapshot {source}");
                        continue;
                    }

                    (int route, string? issuer) = answers[i];
                    if (match.RouteIndex != Math.Max(route, -1) || match.IssuerId != issuer
                        || match.Status != (route == -2 ? BinRouteMatchStatus.InvalidPan : route == -1 ? BinRouteMatchStatus.NoRoute : BinRouteMatchStatus.Matched))
                    {
                        failures.Enqueue($"PAN #{i} in snapshot {source}: expected routes[{route}] {issuer}, got {match}");
                    }

                    done++;
                }
            }
            catch (Exception exception)
            {
                failures.Enqueue(exception.ToString());
            }

            Interlocked.Add(ref lookups, done);
        }

        Thread[] readers = Enumerable.Range(0, 3).Select(n => new Thread(() => Read(n)) { IsBackground = true }).ToArray();
        foreach (Thread reader in readers)
        {
            reader.Start();
        }

        for (int swap = 0; swap < 60; swap++)
        {
            switch (swap % 3)
            {
                case 0:
                    Assert.Equal(BinRouteReloadOutcome.Swapped, router.Reload(routesA, "A").Outcome);
                    break;
                case 1:
                    router.Publish(million);
                    break;
                default:
                    Assert.Equal(BinRouteReloadOutcome.Swapped, router.Reload(routesB, "B").Outcome);
                    break;
            }

            Thread.Sleep(1);
        }

        stop.Cancel();
        foreach (Thread reader in readers)
        {
            Assert.True(reader.Join(TimeSpan.FromSeconds(30)), "a reader did not stop");
        }

        Assert.True(failures.IsEmpty, string.Join(Environment.NewLine, failures.Take(10)));
        Assert.True(lookups > 0);
        Assert.Equal(3, seenSources.Count); // every snapshot answered some lookups: the race was exercised
    }

    private static (int Route, string? Issuer) Expect(int route, RouteOracle oracle) =>
        (route, route >= 0 ? oracle.IssuerOf(route) : null);

    /// <summary>
    /// A million 9-digit ranges whose answer is known by arithmetic: route i covers
    /// 100000000 + 500i .. 100000000 + 500i + 399 and goes to issuer "M{i % 7}"; the gaps fall through to the
    /// prefix "1" (route 1,000,000) or to nothing.
    /// </summary>
    internal static class MillionRouteTable
    {
        public const string Source = "million";
        private const int Count = 1_000_000;
        private const long Base = 100_000_000;

        public static BinRoutingTable Build()
        {
            var routes = new BinRoute[Count + 1];
            string[] issuers = Enumerable.Range(0, 7).Select(n => "M" + n.ToString(CultureInfo.InvariantCulture)).ToArray();
            for (int i = 0; i < Count; i++)
            {
                long low = Base + (500L * i);
                routes[i] = BinRoute.ForRange(
                    low.ToString(CultureInfo.InvariantCulture), (low + 399).ToString(CultureInfo.InvariantCulture), issuers[i % 7]);
            }

            routes[Count] = BinRoute.ForPrefix("1", "M-wide");
            return BinRoutingTable.Build(routes, new BinRoutingTableBuildOptions { Source = Source });
        }

        public static (int Route, string? Issuer) Expected(string pan)
        {
            if (pan.Length is 0 or > 19 || !pan.All(char.IsAsciiDigit))
            {
                return (-2, null);
            }

            if (pan.Length >= 9)
            {
                long head = long.Parse(pan.AsSpan(0, 9), CultureInfo.InvariantCulture);
                long offset = head - Base;
                if (offset >= 0 && offset < 500L * Count && offset % 500 < 400)
                {
                    int route = (int)(offset / 500);
                    return (route, "M" + (route % 7).ToString(CultureInfo.InvariantCulture));
                }
            }

            return pan[0] == '1' ? (Count, "M-wide") : (-1, null);
        }
    }

    [Fact]
    public void A_reload_based_on_a_version_no_longer_in_force_is_superseded_and_changes_nothing()
    {
        var router = new BinRouter(BinRoutingTable.Empty);
        router.Reload([BinRoute.ForPrefix("4", "visa")], "v1");
        BinRoutingTable v1 = router.Current;

        BinRouteReloadResult based = router.Reload([BinRoute.ForPrefix("4", "card-sim")], "edit of v1", expectedVersion: 1);
        Assert.Equal(BinRouteReloadOutcome.Swapped, based.Outcome);
        Assert.Equal(2, router.Current.Version);

        BinRoutingTable v2 = router.Current;
        BinRouteReloadResult stale = router.Reload([BinRoute.ForPrefix("5", "mc")], "second edit of v1", expectedVersion: 1);
        Assert.Equal(BinRouteReloadOutcome.Superseded, stale.Outcome);
        Assert.False(stale.Succeeded);
        Assert.Same(v2, stale.Current);
        Assert.Null(stale.Previous);
        Assert.Same(v2, router.Current);
        Assert.Equal("card-sim", router.Lookup("4761731234567890"u8).IssuerId);
        Assert.Contains("version 2", stale.ToString(), StringComparison.Ordinal);
        Assert.NotSame(v1, router.Current);
    }

    [Fact]
    public void Of_two_writers_racing_from_the_same_version_exactly_one_swaps()
    {
        var router = new BinRouter(BinRoutingTable.Empty);
        router.Reload([BinRoute.ForPrefix("4", "visa")]);
        BinRoute[] a = [BinRoute.ForPrefix("4", "a")], b = [BinRoute.ForPrefix("4", "b")];
        for (int round = 0; round < 200; round++)
        {
            long expected = router.Current.Version;
            using var start = new Barrier(2);
            BinRouteReloadResult? fromA = null, fromB = null;
            var threadA = new Thread(() => { start.SignalAndWait(); fromA = router.Reload(a, "A", expected); });
            var threadB = new Thread(() => { start.SignalAndWait(); fromB = router.Reload(b, "B", expected); });
            threadA.Start();
            threadB.Start();
            threadA.Join();
            threadB.Join();

            BinRouteReloadOutcome[] outcomes = [fromA!.Outcome, fromB!.Outcome];
            Assert.Equal(1, outcomes.Count(o => o == BinRouteReloadOutcome.Swapped));
            Assert.Equal(1, outcomes.Count(o => o == BinRouteReloadOutcome.Superseded));
            Assert.Equal(expected + 1, router.Current.Version);
            string winner = fromA.Outcome == BinRouteReloadOutcome.Swapped ? "a" : "b";
            Assert.Equal(winner, router.Lookup("4761731234567890"u8).IssuerId);
        }
    }
}
