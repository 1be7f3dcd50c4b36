using System.Globalization;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.LoadTest;

/// <summary>What <see cref="LoadTestCommandLine.Parse"/> made of the arguments.</summary>
/// <param name="Options">The options, when the arguments were valid and help was not asked for.</param>
/// <param name="HelpRequested">True for <c>--help</c> / <c>-h</c>.</param>
/// <param name="Errors">Sentences describing each bad argument; empty when the arguments are valid.</param>
public sealed record LoadTestCommandLineResult(LoadTestOptions? Options, bool HelpRequested, IReadOnlyList<string> Errors);

/// <summary>
/// Parses the harness's command line by hand (<c>--name value</c> or <c>--name=value</c>), without
/// System.CommandLine. Unknown options, missing values and invalid values are reported, never thrown.
/// </summary>
public static class LoadTestCommandLine
{
    /// <summary>The <c>--help</c> text.</summary>
    public const string HelpText = """
        PaymentSwitch.LoadTest - open-loop ISO 8583 load harness for the payment switch and issuer simulators.

        Usage:
          dotnet run -c Release --project perf/PaymentSwitch.LoadTest -- --target HOST:PORT [options]

        Load shape:
          --target HOST:PORT        switch acquirer listener or card issuer simulator (required)
          --mode acquirer|terminals acquirer: M pipelined connections sharing --rate (default)
                                    terminals: N connections, one request at a time each
          --connections N           connections / terminals (default 8; 50 in terminals mode)
          --rate R                  requests per second over all connections (default 1000; terminals: omit
                                    for closed loop)
          --duration T              measured time after the warm-up (default 30s)
          --warmup T                excluded from latency figures (default 5s)
          --timeout T               answer deadline from the actual send; then counted as timeout (default 5s)
          --think-time T            closed-loop terminals: pause after each answer (default 0); also the
                                    expected interval latencies are back-filled with (coordinated omission)
          --max-in-flight N         acquirer: bound on requests in flight per connection (default 1000). When
                                    reached, due requests wait and are counted as "backlogged"; their latency
                                    keeps counting from their intended send time.
          --tick T                  scheduler period; requests due in one tick share one write (default 1ms;
                                    200us sends closer to the intended times for more harness CPU)

        Wire:
          --dialect NAME            dialect file name (default iso87-ascii)
          --dialects DIR            dialect directory (default: ./config/dialects if present, else
                                    dialects/ beside the executable)
          --framing len2|len4-ascii length header (default len2)
          --tpdu HEX                add a 5-byte TPDU (10 hex digits, e.g. 6000010000) to every frame

        Transaction mix:
          --card-bins B1,B2         card issuer BINs (default 476173,510000)
          --wallet-bins B1,...      wallet issuer BINs (default none)
          --wallet-share X          share of known-BIN requests sent to wallet BINs (default: uniform over BINs)
          --unknown-bins B1,...     BINs the target does not know (default 100000); they expect DE39 15
          --unknown-share X         share of requests to unknown BINs (default 0)
          --reversal-share X        share of requests that reverse an earlier approval with 0420 + DE90 (default 0)
          --financial-share X       share of new transactions sent as 0200 instead of 0100 (default 0)
          --amount MIN-MAX          DE4 in minor units, uniform (default 100-50000); a single value is fixed
          --currency NNN            DE49 (default 978)
          --acquirer-id DIGITS      DE32 (default 412345)
          --pan-length N            card number length, Luhn-valid (default 16)
          --seed N                  generator seed (default 8583)

        Checks:
          --accept-system-failures  count answers with DE39 91 (issuer unavailable, timed out, shed) or 96
                                    (system malfunction) as checked out; without it they are errors
                                    (system-failure-answer). For overload runs that expect the switch to shed.

        Output:
          --json FILE               JSON report
          --hgrm FILE               HdrHistogram percentile distribution (.hgrm, milliseconds)
          --chart FILE              latency-percentile chart, FILE ending in .svg or .html
          --quiet                   no progress line
          -h, --help                this text

        Progress lines go to stderr once a second; the report goes to stdout. Every answer is checked (MTI,
        STAN, echoed DE 3 4 7 11 12 13 32 37 41 42 49, DE39 valid; 15 expected for unknown BINs; 91 and 96 are
        errors); errors are counted by kind. Latency counts from each request's intended send time: open loop
        (any --rate) is so corrected for coordinated omission; closed-loop terminals with --think-time are corrected
        by back-filling with the think time as the expected interval; without a think time they are not corrected.
        Ctrl+C ends the schedule early and still reports.
        Times take a unit: 500us, 250ms, 5s, 2m (a bare number is seconds).
        Achieved rate: answers to the measured requests over the longer of the measured window and the time
        from the first of those answers to the last (answers still arrive up to a timeout after the schedule).
        Exit status: 0 when every answer checked out, 1 when any error was counted, an open-loop run achieved
        less than 95% of its target rate, or the target was unreachable; 2 for bad arguments.

        Example:
          dotnet run -c Release --project perf/PaymentSwitch.LoadTest -- --target 127.0.0.1:5000 \
            --mode acquirer --connections 8 --rate 50000 --duration 30s --json result.json
        """;

    /// <summary>Parses <paramref name="args"/>; never throws for bad input.</summary>
    public static LoadTestCommandLineResult Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new LoadTestOptions();
        var errors = new List<string>();
        bool rateGiven = false, connectionsGiven = false, maxInFlightGiven = false;

        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg is "-h" or "--help" or "-?") return new LoadTestCommandLineResult(null, true, []);
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                errors.Add($"Unexpected argument '{arg}'; options start with --.");
                continue;
            }

            string name = arg;
            string? value = null;
            int eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                name = arg[..eq];
                value = arg[(eq + 1)..];
            }

            if (name == "--quiet")
            {
                if (value is not null) errors.Add("--quiet takes no value.");
                options.Quiet = true;
                continue;
            }

            if (name == "--accept-system-failures")
            {
                if (value is not null) errors.Add("--accept-system-failures takes no value.");
                options.AcceptSystemFailureCodes = true;
                continue;
            }

            if (!KnownValueOptions.Contains(name))
            {
                errors.Add($"Unknown option '{name}'. Run with --help for the list.");
                continue;
            }

            if (value is null)
            {
                if (i + 1 >= args.Count || (args[i + 1].StartsWith("--", StringComparison.Ordinal) && args[i + 1].Length > 2))
                {
                    errors.Add($"{name} needs a value.");
                    continue;
                }
                value = args[++i];
            }

            switch (name)
            {
                case "--target": ParseTarget(value, options, errors); break;
                case "--mode":
                    if (value.Equals("acquirer", StringComparison.OrdinalIgnoreCase)) options.Mode = LoadTestMode.Acquirer;
                    else if (value.Equals("terminals", StringComparison.OrdinalIgnoreCase)) options.Mode = LoadTestMode.Terminals;
                    else errors.Add($"--mode must be acquirer or terminals, not '{value}'.");
                    break;
                case "--connections": connectionsGiven = true; options.Connections = ParseInt(name, value, errors); break;
                case "--rate": rateGiven = true; options.RatePerSecond = ParseDouble(name, value, errors); break;
                case "--duration": options.Duration = ParseTime(name, value, errors); break;
                case "--warmup": options.Warmup = ParseTime(name, value, errors); break;
                case "--timeout": options.Timeout = ParseTime(name, value, errors); break;
                case "--think-time": options.ThinkTime = ParseTime(name, value, errors); break;
                case "--max-in-flight": maxInFlightGiven = true; options.MaxInFlightPerConnection = ParseInt(name, value, errors); break;
                case "--tick": options.Tick = ParseTime(name, value, errors); break;
                case "--dialect": options.DialectName = value; break;
                case "--dialects": options.DialectsDirectory = value; break;
                case "--framing": options.FramingName = value.ToLowerInvariant(); break;
                case "--tpdu": options.Tpdu = ParseTpdu(value, errors); break;
                case "--card-bins": options.CardBins = ParseList(value); break;
                case "--wallet-bins": options.WalletBins = ParseList(value); break;
                case "--unknown-bins": options.UnknownBins = ParseList(value); break;
                case "--wallet-share": options.WalletShare = ParseDouble(name, value, errors); break;
                case "--unknown-share": options.UnknownBinShare = ParseDouble(name, value, errors); break;
                case "--reversal-share": options.ReversalShare = ParseDouble(name, value, errors); break;
                case "--financial-share": options.FinancialShare = ParseDouble(name, value, errors); break;
                case "--amount": ParseAmount(value, options, errors); break;
                case "--currency": options.CurrencyCode = value; break;
                case "--acquirer-id": options.AcquirerId = value; break;
                case "--pan-length": options.PanLength = ParseInt(name, value, errors); break;
                case "--seed": options.Seed = ParseInt(name, value, errors); break;
                case "--json": options.JsonPath = value; break;
                case "--hgrm": options.HgrmPath = value; break;
                case "--chart": options.ChartPath = value; break;
                default: errors.Add($"Unknown option '{name}'."); break;
            }
        }

        if (options.Mode == LoadTestMode.Terminals)
        {
            if (!rateGiven) options.RatePerSecond = 0;
            if (!connectionsGiven) options.Connections = 50;
            if (maxInFlightGiven && options.MaxInFlightPerConnection != 1)
                errors.Add("--max-in-flight does not apply to terminals mode: each terminal has one request in flight at most.");
            options.MaxInFlightPerConnection = 1;
        }

        if (errors.Count == 0) errors.AddRange(options.Validate());
        return new LoadTestCommandLineResult(errors.Count == 0 ? options : null, false, errors);
    }

    private static readonly HashSet<string> KnownValueOptions =
    [
        "--target", "--mode", "--connections", "--rate", "--duration", "--warmup", "--timeout", "--think-time",
        "--max-in-flight", "--tick", "--dialect", "--dialects", "--framing", "--tpdu", "--card-bins", "--wallet-bins",
        "--unknown-bins", "--wallet-share", "--unknown-share", "--reversal-share", "--financial-share", "--amount",
        "--currency", "--acquirer-id", "--pan-length", "--seed", "--json", "--hgrm", "--chart",
    ];

    private static void ParseTarget(string value, LoadTestOptions options, List<string> errors)
    {
        int colon = value.LastIndexOf(':');
        if (colon <= 0 || colon == value.Length - 1)
        {
            errors.Add($"--target must be HOST:PORT, not '{value}'.");
            return;
        }
        string host = value[..colon];
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        if (!int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            errors.Add($"--target port must be 1..65535, not '{value[(colon + 1)..]}'.");
            return;
        }
        options.TargetHost = host;
        options.TargetPort = port;
    }

    private static int ParseInt(string name, string value, List<string> errors)
    {
        if (int.TryParse(value.Replace("_", "", StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out int result)) return result;
        errors.Add($"{name} must be a whole number, not '{value}'.");
        return 0;
    }

    private static double ParseDouble(string name, string value, List<string> errors)
    {
        string v = value.Replace("_", "", StringComparison.Ordinal);
        double scale = 1;
        if (v.EndsWith('%')) { v = v[..^1]; scale = 0.01; }
        else if (v.EndsWith('k') || v.EndsWith('K')) { v = v[..^1]; scale = 1000; }
        if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double result) && double.IsFinite(result)) return result * scale;
        errors.Add($"{name} must be a number, not '{value}'.");
        return double.NaN;
    }

    /// <summary>Parses a time like <c>500us</c>, <c>250ms</c>, <c>5s</c>, <c>2m</c>, <c>1h</c>; a bare number is seconds.</summary>
    public static bool TryParseTime(string value, out TimeSpan time)
    {
        time = default;
        string v = value.Trim();
        (string suffix, double seconds)[] units = [("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)];
        double factor = 1;
        foreach ((string suffix, double seconds) in units)
        {
            if (v.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                v = v[..^suffix.Length];
                factor = seconds;
                break;
            }
        }
        if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) || !double.IsFinite(number)) return false;
        double total = number * factor;
        if (total < 0 || total > TimeSpan.FromDays(30).TotalSeconds) return false;
        time = TimeSpan.FromTicks((long)Math.Round(total * TimeSpan.TicksPerSecond));
        return true;
    }

    private static TimeSpan ParseTime(string name, string value, List<string> errors)
    {
        if (TryParseTime(value, out TimeSpan t)) return t;
        errors.Add($"{name} must be a time such as 500ms or 5s, not '{value}'.");
        return TimeSpan.Zero;
    }

    private static Tpdu? ParseTpdu(string value, List<string> errors)
    {
        if (value.Length == 10)
        {
            try
            {
                byte[] b = Convert.FromHexString(value);
                return Tpdu.Read(b);
            }
            catch (FormatException)
            {
                // reported below
            }
        }
        errors.Add($"--tpdu must be 10 hex digits (ID, destination, source), not '{value}'.");
        return null;
    }

    private static string[] ParseList(string value)
        => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static void ParseAmount(string value, LoadTestOptions options, List<string> errors)
    {
        int dash = value.IndexOf('-', StringComparison.Ordinal);
        string lo = dash < 0 ? value : value[..dash];
        string hi = dash < 0 ? value : value[(dash + 1)..];
        if (long.TryParse(lo, NumberStyles.None, CultureInfo.InvariantCulture, out long min)
            && long.TryParse(hi, NumberStyles.None, CultureInfo.InvariantCulture, out long max))
        {
            options.AmountMinMinor = min;
            options.AmountMaxMinor = max;
            return;
        }
        errors.Add($"--amount must be MIN-MAX in minor units (e.g. 100-50000), not '{value}'.");
    }
}
