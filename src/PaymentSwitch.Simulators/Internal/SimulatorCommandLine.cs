using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;

namespace PaymentSwitch.Simulators.Internal;

/// <summary>Which simulator the command line asks for.</summary>
internal enum SimulatorKind : byte
{
    Card,
    Wallet,
}

/// <summary>A parsed command line: the simulator, its options and the log level.</summary>
internal sealed record SimulatorCommand(
    SimulatorKind Kind,
    CardIssuerSimulatorOptions? Card,
    WalletIssuerSimulatorOptions? Wallet,
    LogLevel LogLevel);

/// <summary>
/// Reads the simulators' command line by hand (<c>card|wallet --option value …</c>, <c>--option=value</c> also
/// accepted). Every mistake is a <see cref="CommandLineException"/> naming the option and what it expects.
/// </summary>
internal static class SimulatorCommandLine
{
    public const string Usage = """
        PaymentSwitch issuer simulators

        Usage:
          PaymentSwitch.Simulators card   [--listen HOST:PORT] [options]   ISO 8583 card issuer over TCP (default 127.0.0.1:7001)
          PaymentSwitch.Simulators wallet [--listen HOST:PORT] [options]   JSON wallet issuer over HTTP (default 127.0.0.1:7002)
          PaymentSwitch.Simulators --help

        Rules, latency and faults (both):
          --decline-above AMOUNT       decline (51) amounts in minor units above AMOUNT
          --decline-pan-suffix DIGITS  decline (05) card numbers ending with DIGITS
          --no-expiry-check            do not decline (54) expired cards
          --latency-ms MS              hold every answer MS milliseconds (default 0)
          --jitter-ms MS               add a random 0..MS to each answer's latency
          --fault MODE                 none | silent | late:MS | drop | drop:N | garbage | error (default none)
          --ledger-file PATH           write the ledger (JSON) here on exit and on POST /ledger/save
          --log-level LEVEL            trace | debug | information | warning | error (default information)

        Card only:
          --dialect NAME               iso87-ascii (default) | iso87-bcd
          --dialects DIR               dialect folder (default: ./config/dialects, else 'dialects' beside the executable)
          --framing NAME               len2 (default) | len4-ascii
          --tpdu                       a 5-byte TPDU follows the length header
          --max-frame-bytes N          largest frame accepted (default 8192)
          --admin HOST:PORT            HTTP admin: GET /ledger, POST /fault?mode=, POST /reset, POST /ledger/save,
                                       POST /network-management?answer=true|false
          --no-network-management      do not answer 0800 (sign-on, echo) so sign-on fails
          --approval-index-max N       reversal-matching memory, oldest evicted first (default 1048576)
          --max-pending N              delayed answers waiting per connection (default 4096)
          --max-connections N          connections at once (default 1024)

        Wallet only (its admin endpoints share the API port):
          --idempotency-max N          idempotency memory, oldest forgotten first (default 1048576)

        Ctrl-C or SIGTERM stops the simulator (and writes the ledger file). Bad arguments exit with code 2.
        """;

    private static readonly string[] CommonValueOptions = ["--listen", "--decline-above", "--decline-pan-suffix", "--latency-ms", "--jitter-ms", "--fault", "--ledger-file", "--log-level"];
    private static readonly string[] CommonFlags = ["--no-expiry-check"];
    private static readonly string[] CardValueOptions = ["--dialect", "--dialects", "--framing", "--max-frame-bytes", "--admin", "--approval-index-max", "--max-pending", "--max-connections"];
    private static readonly string[] CardFlags = ["--tpdu", "--no-network-management"];
    private static readonly string[] WalletValueOptions = ["--idempotency-max"];

    /// <summary>True when the arguments ask for help.</summary>
    public static bool IsHelp(string[] args) => args.Length > 0 && args[0] is "--help" or "-h" or "help" or "-?";

    public static SimulatorCommand Parse(string[] args)
    {
        if (args.Length == 0) throw new CommandLineException("say which simulator to run: 'card' or 'wallet'.");
        SimulatorKind kind = args[0] switch
        {
            "card" => SimulatorKind.Card,
            "wallet" => SimulatorKind.Wallet,
            _ => throw new CommandLineException($"'{args[0]}' is not a simulator; expected 'card' or 'wallet'."),
        };
        string[] valueOptions = [.. CommonValueOptions, .. kind == SimulatorKind.Card ? CardValueOptions : WalletValueOptions];
        string[] flags = [.. CommonFlags, .. kind == SimulatorKind.Card ? CardFlags : []];
        Dictionary<string, string?> given = Collect(args, kind, valueOptions, flags);

        var rules = new IssuerRules
        {
            DeclineAboveAmountMinor = given.TryGetValue("--decline-above", out string? above) ? Long("--decline-above", above!, 0) : null,
            DeclinePanSuffix = given.TryGetValue("--decline-pan-suffix", out string? suffix) ? Suffix(suffix!) : null,
            CheckExpiry = !given.ContainsKey("--no-expiry-check"),
        };
        int latency = given.TryGetValue("--latency-ms", out string? l) ? Int("--latency-ms", l!, 0, FaultMode.MaxDelayMs) : 0;
        int jitter = given.TryGetValue("--jitter-ms", out string? j) ? Int("--jitter-ms", j!, 0, FaultMode.MaxDelayMs) : 0;
        FaultMode fault = FaultMode.None;
        if (given.TryGetValue("--fault", out string? f) && !FaultMode.TryParse(f, out fault!, out string? faultError))
            throw new CommandLineException("--fault: " + faultError);
        string? ledgerFile = given.TryGetValue("--ledger-file", out string? lf) ? NonEmpty("--ledger-file", lf!) : null;
        LogLevel logLevel = given.TryGetValue("--log-level", out string? level) ? Level(level!) : LogLevel.Information;

        if (kind == SimulatorKind.Card)
        {
            var card = new CardIssuerSimulatorOptions
            {
                ListenEndPoint = given.TryGetValue("--listen", out string? listen) ? EndPoint("--listen", listen!) : new IPEndPoint(IPAddress.Loopback, 7001),
                AdminEndPoint = given.TryGetValue("--admin", out string? admin) ? EndPoint("--admin", admin!) : null,
                DialectName = given.TryGetValue("--dialect", out string? dialect) ? NonEmpty("--dialect", dialect!) : "iso87-ascii",
                DialectDirectory = given.TryGetValue("--dialects", out string? dir) ? NonEmpty("--dialects", dir!) : null,
                FramingName = given.TryGetValue("--framing", out string? framing) ? Framing(framing!) : "len2",
                Tpdu = given.ContainsKey("--tpdu"),
                MaxFrameBytes = given.TryGetValue("--max-frame-bytes", out string? mfb) ? Int("--max-frame-bytes", mfb!, 16, ushort.MaxValue) : Iso8583.Framing.DefaultMaxFrameBytes,
                AnswerNetworkManagement = !given.ContainsKey("--no-network-management"),
                ApprovalIndexMaxEntries = given.TryGetValue("--approval-index-max", out string? aim) ? Int("--approval-index-max", aim!, 1, 1 << 28) : 1 << 20,
                MaxPendingRepliesPerConnection = given.TryGetValue("--max-pending", out string? mp) ? Int("--max-pending", mp!, 1, 1 << 20) : 4096,
                MaxConnections = given.TryGetValue("--max-connections", out string? mc) ? Int("--max-connections", mc!, 1, 1 << 20) : 1024,
                Rules = rules,
                LatencyMs = latency,
                LatencyJitterMs = jitter,
                Fault = fault,
                LedgerFilePath = ledgerFile,
            };
            if (card.FramingName == "len4-ascii" && card.MaxFrameBytes > 9999)
                throw new CommandLineException("--max-frame-bytes: len4-ascii frames hold at most 9999 bytes.");
            return new SimulatorCommand(kind, card, null, logLevel);
        }

        var wallet = new WalletIssuerSimulatorOptions
        {
            ListenEndPoint = given.TryGetValue("--listen", out string? walletListen) ? EndPoint("--listen", walletListen!) : new IPEndPoint(IPAddress.Loopback, 7002),
            IdempotencyMaxEntries = given.TryGetValue("--idempotency-max", out string? im) ? Int("--idempotency-max", im!, 16, 1 << 28) : 1 << 20,
            Rules = rules,
            LatencyMs = latency,
            LatencyJitterMs = jitter,
            Fault = fault,
            LedgerFilePath = ledgerFile,
        };
        return new SimulatorCommand(kind, null, wallet, logLevel);
    }

    private static Dictionary<string, string?> Collect(string[] args, SimulatorKind kind, string[] valueOptions, string[] flags)
    {
        var given = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (int i = 1; i < args.Length; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                throw new CommandLineException($"unexpected argument '{arg}'; options start with '--' (see --help).");
            string name = arg;
            string? inline = null;
            int equals = arg.IndexOf('=');
            if (equals > 0)
            {
                name = arg[..equals];
                inline = arg[(equals + 1)..];
            }
            if (given.ContainsKey(name)) throw new CommandLineException($"{name} is given twice.");
            if (Array.IndexOf(flags, name) >= 0)
            {
                if (inline is not null) throw new CommandLineException($"{name} is a switch and takes no value.");
                given[name] = null;
            }
            else if (Array.IndexOf(valueOptions, name) >= 0)
            {
                if (inline is null)
                {
                    if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                        throw new CommandLineException($"{name} needs a value.");
                    inline = args[++i];
                }
                given[name] = inline;
            }
            else
            {
                string other = kind == SimulatorKind.Card ? "wallet" : "card";
                bool forOther = Array.IndexOf(kind == SimulatorKind.Card ? WalletValueOptions : [.. CardValueOptions, .. CardFlags], name) >= 0;
                throw new CommandLineException(forOther
                    ? $"{name} is an option of the {other} simulator, not the {kind.ToString().ToLowerInvariant()} one."
                    : $"unknown option '{name}' (see --help).");
            }
        }
        return given;
    }

    /// <summary>Parses HOST:PORT: an IPv4 address, [IPv6], <c>localhost</c> or <c>*</c> (all interfaces), and a port 0–65535.</summary>
    public static IPEndPoint EndPoint(string option, string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
            throw new CommandLineException($"{option}: '{text}' is not HOST:PORT (for example 127.0.0.1:7001).");
        string host = text[..colon];
        string portText = text[(colon + 1)..];
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
            throw new CommandLineException($"{option}: '{portText}' is not a port (0 to 65535).");
        IPAddress address;
        if (host is "localhost") address = IPAddress.Loopback;
        else if (host is "*" or "0.0.0.0") address = IPAddress.Any;
        else if (!IPAddress.TryParse(host.Trim('[', ']'), out address!))
            throw new CommandLineException($"{option}: '{host}' is not an IP address (use an address such as 127.0.0.1, [::1], localhost or *).");
        return new IPEndPoint(address, port);
    }

    private static int Int(string option, string text, int min, int max)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
            throw new CommandLineException($"{option}: '{text}' is not a whole number from {min} to {max}.");
        return value;
    }

    private static long Long(string option, string text, long min)
    {
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value < min)
            throw new CommandLineException($"{option}: '{text}' is not a whole number of at least {min}.");
        return value;
    }

    private static string Suffix(string text)
    {
        if (text.Length is 0 or > 19 || !text.All(char.IsAsciiDigit))
            throw new CommandLineException($"--decline-pan-suffix: '{text}' is not 1 to 19 digits.");
        return text;
    }

    private static string NonEmpty(string option, string text)
        => string.IsNullOrWhiteSpace(text) ? throw new CommandLineException($"{option} needs a value.") : text;

    private static string Framing(string text) => text.ToLowerInvariant() switch
    {
        "len2" => "len2",
        "len4-ascii" => "len4-ascii",
        _ => throw new CommandLineException($"--framing: '{text}' is not a framing; expected len2 or len4-ascii."),
    };

    private static LogLevel Level(string text) => text.ToLowerInvariant() switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "information" or "info" => LogLevel.Information,
        "warning" or "warn" => LogLevel.Warning,
        "error" => LogLevel.Error,
        _ => throw new CommandLineException($"--log-level: '{text}' is not a level; expected trace, debug, information, warning or error."),
    };
}
