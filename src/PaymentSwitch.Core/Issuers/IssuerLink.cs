using System.Diagnostics;
using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Core.Configuration;
using PaymentSwitch.Core.Issuers.Internal;

namespace PaymentSwitch.Core.Issuers;

/// <summary>
/// The switch's connection to one issuer: a card issuer over ISO 8583/TCP or a wallet issuer over JSON/HTTP. It
/// gives each request a switch STAN, keeps it in the pending table until the answer (matched by that STAN) or the
/// timeout, and hands the outcome back to the engine.
/// </summary>
public abstract class IssuerLink : IAsyncDisposable
{
    private int _suspended;

    protected IssuerLink(IssuerOptions options)
    {
        Options = options;
        Id = options.Id;
        TimeoutTicks = options.TimeoutMs * Stopwatch.Frequency / 1000;
        Pending = new PendingTable(options.MaxInFlight);
        Breaker = new CircuitBreaker(options.CircuitBreaker);
        StandIn = new StandIn.StandInPolicy(options.StandIn);
    }

    /// <summary>Stand-in limits and per-card totals for this issuer.</summary>
    public StandIn.StandInPolicy StandIn { get; }

    /// <summary>Whether the issuer is failing; while open the switch does not wait on it.</summary>
    public CircuitBreaker Breaker { get; }

    /// <summary>Half-open wallet issuers take one trial request; card issuers are probed with 0800 echo.</summary>
    internal virtual bool ProbesWithTrialRequest => true;

    /// <summary>Sends a probe (0800 echo) to decide a half-open breaker; the answer calls <see cref="CircuitBreaker.OnProbeSucceeded"/>.</summary>
    internal virtual void Probe() { }

    public string Id { get; }

    public IssuerOptions Options { get; }

    /// <summary><c>card</c> or <c>wallet</c>.</summary>
    public abstract string Kind { get; }

    internal PendingTable Pending { get; }

    internal long TimeoutTicks { get; }

    internal SwitchEngine? Engine { get; set; }

    /// <summary>Requests sent and not yet answered or timed out.</summary>
    public int InFlight => Pending.Count;

    /// <summary>True when the link can carry a request now (signed on, not suspended).</summary>
    public bool IsAvailable => Volatile.Read(ref _suspended) == 0 && HasReadyConnection;

    /// <summary>True when at least one connection is signed on (card) or the endpoint answers (wallet).</summary>
    public abstract bool HasReadyConnection { get; }

    public bool IsSuspended => Volatile.Read(ref _suspended) != 0;

    /// <summary>Operator action: stop sending to this issuer (requests are answered DE39 = 91) until resumed.</summary>
    public void Suspend() => Volatile.Write(ref _suspended, 1);

    public void Resume() => Volatile.Write(ref _suspended, 0);

    /// <summary>State of each connection, for the status page.</summary>
    public abstract IReadOnlyList<IssuerConnectionStatus> GetConnections();

    /// <summary>Starts connecting. Returns at once; connections come up in the background.</summary>
    public abstract void Start();

    /// <summary>Sends a registered transaction. False when it could not be sent (the caller answers DE39 = 91).</summary>
    internal abstract bool TrySend(Transaction transaction);

    /// <summary>Housekeeping on the engine's timer: echo idle connections, notice stuck sign-ons.</summary>
    internal virtual void OnTick(long nowTimestamp) { }

    public abstract ValueTask DisposeAsync();
}

/// <summary>One connection of an issuer link as the status page shows it.</summary>
public sealed record IssuerConnectionStatus(string Endpoint, IssuerLinkState State, string? LastError);
