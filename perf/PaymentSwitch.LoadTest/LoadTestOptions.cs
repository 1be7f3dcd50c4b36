using PaymentSwitch.Iso8583;

namespace PaymentSwitch.LoadTest;

/// <summary>
/// Everything a load test run needs: where to connect, how to pace requests, the transaction mix and where to
/// write the reports. Build one by hand or with <see cref="LoadTestCommandLine.Parse"/>; call
/// <see cref="Validate"/> before running (the runner does).
/// </summary>
public sealed class LoadTestOptions
{
    /// <summary>Largest number of connections accepted.</summary>
    public const int MaxConnections = 10_000;

    /// <summary>Largest per-connection bound on requests in flight (STANs are 6 digits).</summary>
    public const int MaxInFlightLimit = 100_000;

    /// <summary>Host name or address of the switch (or issuer simulator).</summary>
    public string TargetHost { get; set; } = "";

    /// <summary>TCP port of the target.</summary>
    public int TargetPort { get; set; }

    public LoadTestMode Mode { get; set; } = LoadTestMode.Acquirer;

    /// <summary>Number of TCP connections (terminals in terminals mode).</summary>
    public int Connections { get; set; } = 8;

    /// <summary>
    /// Target requests per second over all connections. Required in acquirer mode; in terminals mode 0 means closed
    /// loop (each terminal waits <see cref="ThinkTime"/> after an answer).
    /// </summary>
    public double RatePerSecond { get; set; } = 1000;

    /// <summary>Measured part of the run (after the warm-up).</summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Requests whose intended send time falls in the warm-up are checked but left out of the latency figures.</summary>
    public TimeSpan Warmup { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>An answer later than this after the request was sent counts as a timeout.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Closed-loop terminals only: pause between an answer and the terminal's next request.</summary>
    public TimeSpan ThinkTime { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Bound on requests in flight per connection (always 1 in terminals mode). When it is reached, due requests wait
    /// (counted as backlogged) and their latency keeps counting from their intended send time.
    /// </summary>
    public int MaxInFlightPerConnection { get; set; } = 1000;

    /// <summary>Scheduler period: requests due within one tick go out in one write per connection.</summary>
    public TimeSpan Tick { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Dialect name (a file <c>{name}.json</c> in the dialect directory).</summary>
    public string DialectName { get; set; } = "iso87-ascii";

    /// <summary>Directory of dialect files; null to search <c>config/dialects</c>, then <c>dialects</c> beside the executable.</summary>
    public string? DialectsDirectory { get; set; }

    /// <summary>Framing name: <c>len2</c> or <c>len4-ascii</c>.</summary>
    public string FramingName { get; set; } = "len2";

    /// <summary>TPDU to put in every frame, or null for none.</summary>
    public Tpdu? Tpdu { get; set; }

    /// <summary>BINs (6–11 digits) of card issuers the target knows; requests to them expect anything but DE39 15.</summary>
    public IReadOnlyList<string> CardBins { get; set; } = ["476173", "510000"];

    /// <summary>BINs of wallet issuers the target knows.</summary>
    public IReadOnlyList<string> WalletBins { get; set; } = [];

    /// <summary>BINs the target does not know: requests to them expect DE39 15.</summary>
    public IReadOnlyList<string> UnknownBins { get; set; } = ["100000"];

    /// <summary>Share (0–1) of card-or-wallet requests that use a wallet BIN; NaN picks BINs uniformly from both lists.</summary>
    public double WalletShare { get; set; } = double.NaN;

    /// <summary>Share (0–1) of requests sent to an unknown BIN.</summary>
    public double UnknownBinShare { get; set; }

    /// <summary>Share (0–1) of requests that are reversals (0420 + DE90) of an earlier approved request.</summary>
    public double ReversalShare { get; set; }

    /// <summary>Share (0–1) of new transactions sent as 0200 financial requests; the rest are 0100 authorisations.</summary>
    public double FinancialShare { get; set; }

    /// <summary>Smallest amount (DE4, minor units).</summary>
    public long AmountMinMinor { get; set; } = 100;

    /// <summary>Largest amount (DE4, minor units).</summary>
    public long AmountMaxMinor { get; set; } = 50_000;

    /// <summary>DE49, ISO 4217 numeric currency code.</summary>
    public string CurrencyCode { get; set; } = "978";

    /// <summary>DE32, acquiring institution identification code (1–11 digits).</summary>
    public string AcquirerId { get; set; } = "412345";

    /// <summary>Length of generated card numbers (12–19), Luhn-valid.</summary>
    public int PanLength { get; set; } = 16;

    /// <summary>Seed of the transaction generator.</summary>
    public int Seed { get; set; } = 8583;

    /// <summary>JSON report path, or null.</summary>
    public string? JsonPath { get; set; }

    /// <summary>HdrHistogram .hgrm percentile distribution path (milliseconds), or null.</summary>
    public string? HgrmPath { get; set; }

    /// <summary>Latency-percentile chart path, <c>.svg</c> or <c>.html</c>, or null.</summary>
    public string? ChartPath { get; set; }

    /// <summary>Interval between progress lines.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>No progress lines.</summary>
    public bool Quiet { get; set; }

    /// <summary>
    /// Count answers with DE39 91 (issuer unavailable, timed out, shed) or 96 (system malfunction) as checked out
    /// instead of as <see cref="LoadErrorKind.SystemFailureAnswer"/> errors. For runs that expect the switch to shed
    /// load (an overload run); off by default, so a switch that fails every request cannot pass.
    /// </summary>
    public bool AcceptSystemFailureCodes { get; set; }

    /// <summary>True when the run is paced by answers rather than by a schedule (terminals without a rate).</summary>
    public bool IsClosedLoop => Mode == LoadTestMode.Terminals && RatePerSecond <= 0;

    /// <summary>Requests in flight allowed per connection in this mode.</summary>
    public int EffectiveMaxInFlight => Mode == LoadTestMode.Terminals ? 1 : MaxInFlightPerConnection;

    /// <summary>Every problem with these options, as sentences naming the option; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(TargetHost)) problems.Add("--target is required (host:port).");
        if (TargetPort is < 1 or > 65535) problems.Add("--target needs a port from 1 to 65535.");
        if (Connections < 1 || Connections > MaxConnections) problems.Add($"--connections must be 1..{MaxConnections}.");
        if (Mode == LoadTestMode.Acquirer && !(RatePerSecond > 0)) problems.Add("--rate must be above 0 in acquirer mode.");
        if (double.IsNaN(RatePerSecond) || RatePerSecond < 0 || RatePerSecond > 10_000_000) problems.Add("--rate must be 0..10,000,000 requests per second.");
        if (Mode == LoadTestMode.Terminals && RatePerSecond > 0 && ThinkTime > TimeSpan.Zero)
            problems.Add("--think-time applies to closed-loop terminals (no --rate); give one or the other.");
        if (Mode == LoadTestMode.Acquirer && ThinkTime > TimeSpan.Zero) problems.Add("--think-time applies to terminals mode only.");
        if (Duration <= TimeSpan.Zero) problems.Add("--duration must be above 0.");
        if (Warmup < TimeSpan.Zero) problems.Add("--warmup must not be negative.");
        if (Duration + Warmup > TimeSpan.FromDays(1)) problems.Add("--duration plus --warmup must not exceed one day.");
        if (Timeout < TimeSpan.FromMilliseconds(1) || Timeout > TimeSpan.FromMinutes(10)) problems.Add("--timeout must be 1ms..10min.");
        if (ThinkTime < TimeSpan.Zero || ThinkTime > TimeSpan.FromMinutes(10)) problems.Add("--think-time must be 0..10min.");
        if (Tick < TimeSpan.FromMicroseconds(50) || Tick > TimeSpan.FromMilliseconds(100)) problems.Add("--tick must be 50us..100ms.");
        if (MaxInFlightPerConnection < 1 || MaxInFlightPerConnection > MaxInFlightLimit) problems.Add($"--max-in-flight must be 1..{MaxInFlightLimit}.");
        if (ProgressInterval < TimeSpan.FromMilliseconds(100)) problems.Add("the progress interval must be at least 100ms.");
        if (string.IsNullOrWhiteSpace(DialectName)) problems.Add("--dialect must name a dialect.");
        if (FramingName is not ("len2" or "len4-ascii")) problems.Add($"--framing must be len2 or len4-ascii, not '{FramingName}'.");

        CheckBins(problems, "--card-bins", CardBins);
        CheckBins(problems, "--wallet-bins", WalletBins);
        CheckBins(problems, "--unknown-bins", UnknownBins);
        if (CardBins.Count + WalletBins.Count == 0 && UnknownBinShare < 1)
            problems.Add("give at least one --card-bins or --wallet-bins BIN (or --unknown-share 1).");
        if (UnknownBinShare > 0 && UnknownBins.Count == 0) problems.Add("--unknown-share needs at least one --unknown-bins BIN.");
        foreach (string bin in UnknownBins)
        {
            if (Contains(CardBins, bin) || Contains(WalletBins, bin))
                problems.Add($"BIN {bin} is given both as unknown and as a card or wallet BIN.");
        }

        CheckShare(problems, "--unknown-share", UnknownBinShare);
        CheckShare(problems, "--reversal-share", ReversalShare);
        CheckShare(problems, "--financial-share", FinancialShare);
        if (!double.IsNaN(WalletShare))
        {
            CheckShare(problems, "--wallet-share", WalletShare);
            if (WalletShare > 0 && WalletBins.Count == 0) problems.Add("--wallet-share needs at least one --wallet-bins BIN.");
            if (WalletShare < 1 && CardBins.Count == 0 && WalletBins.Count > 0) problems.Add("--wallet-share below 1 needs at least one --card-bins BIN.");
        }
        if (UnknownBinShare + ReversalShare > 1) problems.Add("--unknown-share plus --reversal-share must not exceed 1.");

        if (AmountMinMinor < 1 || AmountMaxMinor < AmountMinMinor || AmountMaxMinor > 999_999_999_999)
            problems.Add("--amount must be MIN-MAX minor units with 1 <= MIN <= MAX <= 999999999999.");
        if (CurrencyCode.Length != 3 || !IsDigits(CurrencyCode)) problems.Add("--currency must be a 3-digit ISO 4217 numeric code.");
        if (AcquirerId.Length is < 1 or > 11 || !IsDigits(AcquirerId)) problems.Add("--acquirer-id must be 1 to 11 digits.");
        if (PanLength is < 12 or > 19) problems.Add("--pan-length must be 12..19.");
        foreach (string bin in AllBins())
        {
            if (bin.Length >= PanLength) problems.Add($"BIN {bin} leaves no room for account digits in a {PanLength}-digit card number.");
        }
        if (ChartPath is not null && !IsChartExtension(ChartPath)) problems.Add("--chart must end in .svg or .html.");
        return problems;
    }

    internal static bool IsChartExtension(string path)
        => path.EndsWith(".svg", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith(".html", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith(".htm", StringComparison.OrdinalIgnoreCase);

    private IEnumerable<string> AllBins()
    {
        foreach (string b in CardBins) yield return b;
        foreach (string b in WalletBins) yield return b;
        foreach (string b in UnknownBins) yield return b;
    }

    private static void CheckBins(List<string> problems, string option, IReadOnlyList<string> bins)
    {
        foreach (string bin in bins)
        {
            if (bin.Length is < 6 or > 11 || !IsDigits(bin)) problems.Add($"{option}: '{bin}' is not a BIN (6 to 11 digits).");
        }
    }

    private static void CheckShare(List<string> problems, string option, double share)
    {
        if (double.IsNaN(share) || share < 0 || share > 1) problems.Add($"{option} must be a share from 0 to 1.");
    }

    private static bool Contains(IReadOnlyList<string> list, string value)
    {
        foreach (string s in list)
            if (s == value) return true;
        return false;
    }

    private static bool IsDigits(string s)
    {
        foreach (char c in s)
            if (c is < '0' or > '9') return false;
        return s.Length > 0;
    }
}
