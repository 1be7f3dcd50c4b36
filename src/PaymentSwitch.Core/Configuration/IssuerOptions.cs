namespace PaymentSwitch.Core.Configuration;

/// <summary>One issuer the switch forwards to: a card issuer over ISO 8583/TCP or a wallet issuer over JSON/HTTP.</summary>
public sealed class IssuerOptions
{
    public string Id { get; set; } = "";

    /// <summary><c>card</c> or <c>wallet</c>.</summary>
    public string Kind { get; set; } = "card";

    /// <summary>Card issuers: <c>host:port</c> of each endpoint; connections are spread over them.</summary>
    public List<string> Endpoints { get; set; } = [];

    /// <summary>Card issuers: ISO 8583 dialect.</summary>
    public string Dialect { get; set; } = "iso87-ascii";

    /// <summary>Card issuers: framing.</summary>
    public string Framing { get; set; } = "len2";

    public bool Tpdu { get; set; }

    public int MaxFrameBytes { get; set; } = 8192;

    /// <summary>Card issuers: TCP connections kept open (spread over the endpoints).</summary>
    public int Connections { get; set; } = 2;

    /// <summary>Wallet issuers: base address of the JSON API, e.g. <c>http://127.0.0.1:7002</c>.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>Wallet issuers: pooled HTTP connections.</summary>
    public int MaxHttpConnections { get; set; } = 64;

    /// <summary>How long the switch waits for the issuer's answer before answering DE39 = 91.</summary>
    public int TimeoutMs { get; set; } = 2000;

    /// <summary>Card issuers: an 0800 echo is sent on a connection idle this long.</summary>
    public int EchoIntervalMs { get; set; } = 30_000;

    /// <summary>Card issuers: first delay before reconnecting; doubles up to <see cref="ReconnectMaxMs"/>.</summary>
    public int ReconnectInitialMs { get; set; } = 200;

    public int ReconnectMaxMs { get; set; } = 10_000;

    /// <summary>Card issuers: how long to wait for the 0810 answering sign-on.</summary>
    public int SignOnTimeoutMs { get; set; } = 5000;

    /// <summary>Requests in flight to this issuer; past it new ones are answered DE39 = 91 at once.</summary>
    public int MaxInFlight { get; set; } = 50_000;

    /// <summary>Replies buffered for one issuer connection before it is treated as stuck and closed.</summary>
    public int MaxWriteBufferBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Card issuers: TLS on the connections to this issuer (off unless enabled).</summary>
    public TlsOptions Tls { get; set; } = new();

    /// <summary>When the issuer counts as failing and how the switch stops waiting on it.</summary>
    public CircuitBreakerOptions CircuitBreaker { get; set; } = new();

    /// <summary>Stand-in processing: approving on the issuer's behalf, within limits, while it is unavailable.</summary>
    public StandInOptions StandIn { get; set; } = new();
}
