using System.Globalization;
using System.Text;
using PaymentSwitch.Core.Routing;

namespace PaymentSwitch.Benchmarks;

/// <summary>
/// Synthetic BIN tables shaped like scheme range files: disjoint 9-digit account ranges with gaps between them
/// (about half the 9-digit space routed), plus one 11-digit prefix nested in a range for every nine ranges.
/// Issuers: 20. Reproducible (fixed seed).
/// </summary>
internal static class RoutingBenchmarkData
{
    private const long SpaceLow = 200_000_000;
    private const long SpaceHigh = 700_000_000; // exclusive: first digits 2..6, as real BINs cluster

    public static BinRoute[] Routes(int count, int seed = 20_240_601)
    {
        var random = new Random(seed);
        int rangeCount = count - (count / 10);
        int prefixCount = count - rangeCount;

        var points = new long[2 * rangeCount];
        var used = new HashSet<long>(points.Length);
        for (int i = 0; i < points.Length;)
        {
            long point = random.NextInt64(SpaceLow, SpaceHigh);
            if (used.Add(point))
            {
                points[i++] = point;
            }
        }

        Array.Sort(points);
        string[] issuers = Enumerable.Range(0, 20).Select(i => "issuer-" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        var routes = new BinRoute[count];
        for (int i = 0; i < rangeCount; i++)
        {
            routes[i] = BinRoute.ForRange(Digits(points[2 * i], 9), Digits(points[(2 * i) + 1], 9), issuers[random.Next(issuers.Length)]);
        }

        var prefixes = new HashSet<long>(prefixCount);
        for (int i = 0; i < prefixCount;)
        {
            int range = random.Next(rangeCount);
            long low = points[2 * range] * 100;
            long high = (points[(2 * range) + 1] * 100) + 99;
            long prefix = random.NextInt64(low, high + 1);
            if (prefixes.Add(prefix))
            {
                routes[rangeCount + i++] = BinRoute.ForPrefix(Digits(prefix, 11), issuers[random.Next(issuers.Length)]);
            }
        }

        return routes;
    }

    /// <summary>16-digit PANs, 16 bytes each, back to back: half start inside a random route, half anywhere in 1xx..9xx.</summary>
    public static byte[] Pans(BinRoute[] routes, int count, int seed = 7)
    {
        var random = new Random(seed);
        var pans = new byte[count * 16];
        for (int i = 0; i < count; i++)
        {
            string pan;
            if (random.Next(2) == 0)
            {
                BinRoute route = routes[random.Next(routes.Length)];
                long low = long.Parse(route.Low, CultureInfo.InvariantCulture);
                long high = long.Parse(route.High, CultureInfo.InvariantCulture);
                string head = Digits(random.NextInt64(low, high + 1), route.Low.Length);
                pan = head + Digits(random.NextInt64(0, 10_000_000_000_000_000), 16 - head.Length);
            }
            else
            {
                pan = Digits(random.NextInt64(100_000_000, 1_000_000_000), 9) + Digits(random.NextInt64(0, 10_000_000), 7);
            }

            Encoding.ASCII.GetBytes(pan, pans.AsSpan(i * 16, 16));
        }

        return pans;
    }

    private static string Digits(long value, int length)
    {
        string text = value.ToString(CultureInfo.InvariantCulture).PadLeft(length, '0');
        return text.Length > length ? text[..length] : text;
    }
}
