using System.Globalization;
using System.Text;
using PaymentSwitch.Core.Routing;

namespace PaymentSwitch.Core.Tests.Routing;

/// <summary>Random but reproducible routes and PANs that overlap a lot (nested prefixes, ranges across them).</summary>
internal static class RouteGenerator
{
    private static readonly long[] Pow10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000,
        1_000_000_000, 10_000_000_000, 100_000_000_000];

    /// <summary>
    /// <paramref name="count"/> routes without equal-specificity conflicts (those are a build error, tested
    /// separately): candidates that would conflict with an accepted route are dropped.
    /// </summary>
    public static List<BinRoute> Routes(Random random, int count, string issuerPrefix, int issuerCount = 5)
    {
        var accepted = new List<BinRoute>(count);
        var parsed = new List<(int Length, long Low, long High, string Issuer)>(count);
        while (accepted.Count < count)
        {
            int length = random.Next(10) < 2 ? random.Next(1, 4) : random.Next(4, 12);
            string stem = accepted.Count > 0 && random.Next(3) > 0
                ? accepted[random.Next(accepted.Count)].Low
                : random.Next(2) == 0 ? "4" : "5";
            string lowText = Extend(random, stem, length);
            long low = long.Parse(lowText, CultureInfo.InvariantCulture);
            string issuer = issuerPrefix + random.Next(issuerCount).ToString(CultureInfo.InvariantCulture);
            BinRoute route;
            long high;
            if (random.Next(2) == 0)
            {
                route = BinRoute.ForPrefix(lowText, issuer);
                high = low;
            }
            else
            {
                long room = Pow10[length] - 1 - low;
                long width = Math.Min(room, (long)(random.NextDouble() * Pow10[random.Next(0, length + 1)]));
                high = low + width;
                route = BinRoute.ForRange(lowText, high.ToString(CultureInfo.InvariantCulture).PadLeft(length, '0'), issuer);
            }

            bool conflicts = false;
            foreach (var other in parsed)
            {
                if (other.Length == length && other.High - other.Low == high - low
                    && other.Low <= high && low <= other.High && other.Issuer != issuer)
                {
                    conflicts = true;
                    break;
                }
            }

            if (!conflicts)
            {
                accepted.Add(route);
                parsed.Add((length, low, high, issuer));
            }
        }

        return accepted;
    }

    /// <summary>PANs of 1..19 digits, most of them starting like some route, plus some inputs that are not PANs.</summary>
    public static List<string> Pans(Random random, IReadOnlyList<BinRoute> routes, int count)
    {
        var pans = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            int kind = random.Next(20);
            int length = random.Next(4) == 0 ? random.Next(1, 12) : random.Next(12, 20);
            if (kind == 0)
            {
                pans.Add(NotAPan(random));
                continue;
            }

            string start = kind < 14 && routes.Count > 0
                ? random.Next(2) == 0 ? routes[random.Next(routes.Count)].Low : routes[random.Next(routes.Count)].High
                : ((char)('0' + random.Next(10))).ToString();
            string pan = Extend(random, start, length);
            pans.Add(pan);
        }

        return pans;
    }

    public static string RandomDigits(Random random, int length)
    {
        var text = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            text.Append((char)('0' + random.Next(10)));
        }

        return text.ToString();
    }

    private static string Extend(Random random, string stem, int length) =>
        stem.Length >= length ? stem[..length] : stem + RandomDigits(random, length - stem.Length);

    private static string NotAPan(Random random) => random.Next(5) switch
    {
        0 => string.Empty,
        1 => RandomDigits(random, random.Next(20, 30)),
        2 => RandomDigits(random, 8) + "a" + RandomDigits(random, 7),
        3 => RandomDigits(random, 15) + " ",
        _ => RandomDigits(random, 6) + "\u0663" + RandomDigits(random, 9), // Arabic-Indic digit three
    };
}
