using System.Net;

namespace PaymentSwitch.Simulators;

/// <summary>How a <see cref="WalletIssuerSimulator"/> listens, decides and misbehaves.</summary>
public sealed class WalletIssuerSimulatorOptions
{
    /// <summary>The HTTP endpoint (API and admin) to listen on; port 0 picks a free port (read it back from <see cref="WalletIssuerSimulator.EndPoint"/>).</summary>
    public IPEndPoint ListenEndPoint { get; set; } = new(IPAddress.Loopback, 7002);

    /// <summary>How the issuer decides.</summary>
    public IssuerRules Rules { get; set; } = IssuerRules.Default;

    /// <summary>Every answer is held this long.</summary>
    public int LatencyMs { get; set; }

    /// <summary>A random 0..JitterMs added to each answer's latency.</summary>
    public int LatencyJitterMs { get; set; }

    /// <summary>The fault at start (change it with <see cref="WalletIssuerSimulator.SetFault"/> or POST /fault).</summary>
    public FaultMode Fault { get; set; } = FaultMode.None;

    /// <summary>Bound of the idempotency memory (authorisations, reversals and tombstones; oldest forgotten first).</summary>
    public int IdempotencyMaxEntries { get; set; } = 1 << 20;

    /// <summary>When set, the ledger is written here (JSON) when the simulator stops and on POST /ledger/save.</summary>
    public string? LedgerFilePath { get; set; }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(ListenEndPoint);
        ArgumentNullException.ThrowIfNull(Rules);
        ArgumentNullException.ThrowIfNull(Fault);
        if (LatencyMs is < 0 or > FaultMode.MaxDelayMs) throw new ArgumentOutOfRangeException(nameof(LatencyMs), LatencyMs, $"Latency must be 0 to {FaultMode.MaxDelayMs} ms.");
        if (LatencyJitterMs is < 0 or > FaultMode.MaxDelayMs) throw new ArgumentOutOfRangeException(nameof(LatencyJitterMs), LatencyJitterMs, $"Jitter must be 0 to {FaultMode.MaxDelayMs} ms.");
        if (IdempotencyMaxEntries < 16) throw new ArgumentOutOfRangeException(nameof(IdempotencyMaxEntries), IdempotencyMaxEntries, "The idempotency memory needs room for at least 16 keys.");
    }
}
