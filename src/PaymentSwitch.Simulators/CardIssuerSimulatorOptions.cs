using System.Net;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Simulators;

/// <summary>How a <see cref="CardIssuerSimulator"/> listens, speaks, decides and misbehaves.</summary>
public sealed class CardIssuerSimulatorOptions
{
    /// <summary>The TCP endpoint to listen on; port 0 picks a free port (read it back from <see cref="CardIssuerSimulator.EndPoint"/>).</summary>
    public IPEndPoint ListenEndPoint { get; set; } = new(IPAddress.Loopback, 7001);

    /// <summary>When set, an HTTP admin endpoint (GET /ledger, POST /fault?mode=…, POST /reset, POST /ledger/save) listens here.</summary>
    public IPEndPoint? AdminEndPoint { get; set; }

    /// <summary>A dialect already loaded; when null, <see cref="DialectName"/> is loaded from <see cref="DialectDirectory"/>.</summary>
    public Dialect? Dialect { get; set; }

    /// <summary>The dialect file name (without <c>.json</c>): <c>iso87-ascii</c> (default) or <c>iso87-bcd</c>.</summary>
    public string DialectName { get; set; } = "iso87-ascii";

    /// <summary>Where dialect files are; null: <c>config/dialects</c> under the current directory if it exists, else <c>dialects</c> next to the executable.</summary>
    public string? DialectDirectory { get; set; }

    /// <summary>The framing; when null, built from <see cref="FramingName"/>, <see cref="Tpdu"/> and <see cref="MaxFrameBytes"/>.</summary>
    public Framing? Framing { get; set; }

    /// <summary><c>len2</c> (default) or <c>len4-ascii</c>.</summary>
    public string FramingName { get; set; } = "len2";

    /// <summary>Whether a 5-byte TPDU follows the length header (answers swap its addresses).</summary>
    public bool Tpdu { get; set; }

    /// <summary>Largest frame accepted; a larger one closes the connection.</summary>
    public int MaxFrameBytes { get; set; } = Iso8583.Framing.DefaultMaxFrameBytes;

    /// <summary>How the issuer decides.</summary>
    public IssuerRules Rules { get; set; } = IssuerRules.Default;

    /// <summary>Every answer is held this long (0: answered as soon as read).</summary>
    public int LatencyMs { get; set; }

    /// <summary>A random 0..JitterMs added to each answer's latency, so answers on one connection leave out of order.</summary>
    public int LatencyJitterMs { get; set; }

    /// <summary>The fault at start (change it with <see cref="CardIssuerSimulator.SetFault"/>).</summary>
    public FaultMode Fault { get; set; } = FaultMode.None;

    /// <summary>Whether 0800 network management requests (sign-on, sign-off, echo) are answered; false makes sign-on time out.</summary>
    public bool AnswerNetworkManagement { get; set; } = true;

    /// <summary>Bound of the index that matches reversals to approvals (oldest evicted first); about 44 bytes per entry.</summary>
    public int ApprovalIndexMaxEntries { get; set; } = 1 << 20;

    /// <summary>Bound of delayed answers waiting on one connection; when reached, the connection stops reading until one is sent.</summary>
    public int MaxPendingRepliesPerConnection { get; set; } = 4096;

    /// <summary>Connections accepted at once; more are refused (closed at once, logged).</summary>
    public int MaxConnections { get; set; } = 1024;

    /// <summary>When set, the ledger is written here (JSON) when the simulator stops and on POST /ledger/save.</summary>
    public string? LedgerFilePath { get; set; }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(ListenEndPoint);
        ArgumentNullException.ThrowIfNull(Rules);
        ArgumentNullException.ThrowIfNull(Fault);
        if (LatencyMs is < 0 or > FaultMode.MaxDelayMs) throw new ArgumentOutOfRangeException(nameof(LatencyMs), LatencyMs, $"Latency must be 0 to {FaultMode.MaxDelayMs} ms.");
        if (LatencyJitterMs is < 0 or > FaultMode.MaxDelayMs) throw new ArgumentOutOfRangeException(nameof(LatencyJitterMs), LatencyJitterMs, $"Jitter must be 0 to {FaultMode.MaxDelayMs} ms.");
        if (ApprovalIndexMaxEntries < 1) throw new ArgumentOutOfRangeException(nameof(ApprovalIndexMaxEntries), ApprovalIndexMaxEntries, "The approval index needs room for at least one entry.");
        if (MaxPendingRepliesPerConnection < 1) throw new ArgumentOutOfRangeException(nameof(MaxPendingRepliesPerConnection), MaxPendingRepliesPerConnection, "At least one delayed answer must be allowed per connection.");
        if (MaxConnections < 1) throw new ArgumentOutOfRangeException(nameof(MaxConnections), MaxConnections, "At least one connection must be allowed.");
    }
}
