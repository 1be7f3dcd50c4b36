namespace PaymentSwitch.Core.Configuration;

/// <summary>
/// The whole switch configuration, bound from <c>config/switch.json</c>, then environment variables
/// (<c>PAYMENTSWITCH_Section__Key</c>), then the command line (<c>--Section:Key=value</c>).
/// </summary>
public sealed class SwitchOptions
{
    /// <summary>Identity and global limits of the switch itself.</summary>
    public SwitchIdentityOptions Switch { get; set; } = new();

    /// <summary>Listeners for POS terminals and acquirer hosts.</summary>
    public List<AcquirerOptions> Acquirers { get; set; } = [];

    /// <summary>Card (ISO 8583/TCP) and wallet (JSON/HTTP) issuers.</summary>
    public List<IssuerOptions> Issuers { get; set; } = [];

    public RoutesOptions Routes { get; set; } = new();

    public JournalSettings Journal { get; set; } = new();

    public StatusOptions Status { get; set; } = new();

    public SimulatorsOptions Simulators { get; set; } = new();

    /// <summary>Folder of dialect definitions (<c>*.json</c>); relative to the config file.</summary>
    public string Dialects { get; set; } = "dialects";
}

public sealed class SwitchIdentityOptions
{
    /// <summary>The switch's institution id, sent as DE33 (forwarding institution) to issuers.</summary>
    public string InstitutionId { get; set; } = "999999";

    /// <summary>Transactions in flight across the whole switch; past it new requests are answered DE39 = 91 at once.</summary>
    public int MaxInFlight { get; set; } = 100_000;

    /// <summary>
    /// On SIGTERM/Ctrl-C: stop accepting, let requests in flight finish or time out, flush the journal, sign off and
    /// close — all within this deadline; what is still in flight then is left to the journal (reversed on restart).
    /// </summary>
    public int ShutdownDeadlineMs { get; set; } = 15_000;

    /// <summary>How long a repeat of a transaction counts as a duplicate (it gets the original answer, never forwarded again).</summary>
    public int DuplicateWindowSeconds { get; set; } = 600;

    /// <summary>Forwarded transactions remembered (by acquirer identity) to match acquirer reversals; fixed memory.</summary>
    public int RecentTransactions { get; set; } = 131_072;

    /// <summary>
    /// Before the listeners open, run the authorisation path on synthetic loopback traffic through a throwaway engine,
    /// journal and simulated issuers for at most this many seconds (it stops sooner once compilation settles), so the
    /// first real requests meet warm code. 0 turns it off (the default here; the shipped config/switch.json sets 30).
    /// </summary>
    public int WarmUpMaxSeconds { get; set; }
}

public sealed class RoutesOptions
{
    /// <summary>The BIN routes file (JSON array); relative to the config file. Reloaded when it changes.</summary>
    public string File { get; set; } = "routes.json";

    /// <summary>Watch the file and reload on change.</summary>
    public bool Watch { get; set; } = true;

    /// <summary>Write routes replaced over the operator endpoint (<c>PUT /routes</c>) back to the file, so a restart keeps them.</summary>
    public bool SaveChanges { get; set; } = true;
}

public sealed class StatusOptions
{
    /// <summary>Address of the operator HTTP endpoint. Loopback unless told otherwise.</summary>
    public string Listen { get; set; } = "127.0.0.1:8080";

    /// <summary>Bearer token that route and issuer changes require; without one, changes are refused.</summary>
    public string? AdminToken { get; set; }
}

public sealed class SimulatorsOptions
{
    /// <summary>Start the simulated card and wallet issuers inside the host (the out-of-the-box demo).</summary>
    public bool Embedded { get; set; }

    /// <summary>Where the embedded card issuer simulator listens.</summary>
    public string CardListen { get; set; } = "127.0.0.1:7001";

    /// <summary>Where the embedded wallet issuer simulator listens.</summary>
    public string WalletListen { get; set; } = "127.0.0.1:7002";

    /// <summary>Dialect the embedded card issuer speaks.</summary>
    public string CardDialect { get; set; } = "iso87-ascii";

    /// <summary>Framing the embedded card issuer speaks.</summary>
    public string CardFraming { get; set; } = "len2";

    /// <summary>How long the embedded issuers take to answer (demonstrations and tests).</summary>
    public int LatencyMs { get; set; }
}
