using Microsoft.Extensions.Logging;
using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Core.Configuration;
using PaymentSwitch.Core.Networking;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Core.Issuers;

/// <summary>A card issuer reached over ISO 8583/TCP through <c>Connections</c> connections spread over its endpoints.</summary>
public sealed class CardIssuerLink : IssuerLink
{
    private readonly CardIssuerConnection[] _connections;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _running = [];
    private int _next;
    private int _networkStan;
    private int _probeStan;
    private long _probeSentAt;

    public CardIssuerLink(IssuerOptions options, Dialect dialect, ILogger logger) : base(options)
    {
        Dialect = dialect;
        Framing = Framing.Parse(options.Framing, options.Tpdu, options.MaxFrameBytes);
        Logger = logger;
        _connections = new CardIssuerConnection[options.Connections];
        for (int i = 0; i < _connections.Length; i++)
        {
            string endpoint = options.Endpoints[i % options.Endpoints.Count];
            _connections[i] = new CardIssuerConnection(this, EndpointAddress.Parse(endpoint, $"Issuers:{options.Id}:Endpoints"));
        }
    }

    public override string Kind => "card";

    public Dialect Dialect { get; }

    public Framing Framing { get; }

    internal ILogger Logger { get; }

    public override bool HasReadyConnection
    {
        get
        {
            foreach (CardIssuerConnection c in _connections)
                if (c.IsReady) return true;
            return false;
        }
    }

    /// <summary>STANs for network management messages (matched by MTI 0810, so they never meet transaction STANs).</summary>
    internal int NextNetworkStan() => (int)((uint)Interlocked.Increment(ref _networkStan) % 999_999) + 1;

    /// <summary>Card issuers are probed with an 0800 echo when half-open: no customer's request is risked on a trial.</summary>
    internal override bool ProbesWithTrialRequest => false;

    /// <summary>
    /// Sends the half-open probe: an 0800/301 echo on a signed-on connection. Its 0810 (DE39 = 00) closes the breaker
    /// (<see cref="OnNetworkManagementAnswer"/>); no answer within the issuer's timeout, a refusal, or no connection to
    /// send it on opens it again (<see cref="OnTick"/>).
    /// </summary>
    internal override void Probe()
    {
        foreach (CardIssuerConnection connection in _connections)
        {
            if (!connection.IsReady) continue;
            int stan = NextNetworkStan();
            Volatile.Write(ref _probeSentAt, System.Diagnostics.Stopwatch.GetTimestamp());
            Volatile.Write(ref _probeStan, stan);
            if (connection.SendEcho(stan)) return;
            Interlocked.CompareExchange(ref _probeStan, 0, stan);
        }
        Breaker.OnFailure();
    }

    /// <summary>An 0810 arrived for network STAN <paramref name="stan"/>: decides the breaker when it answers the probe.</summary>
    internal void OnNetworkManagementAnswer(int stan, bool approved)
    {
        if (stan == 0 || Interlocked.CompareExchange(ref _probeStan, 0, stan) != stan) return;
        if (approved) Breaker.OnProbeSucceeded();
        else Breaker.OnFailure();
    }

    public override IReadOnlyList<IssuerConnectionStatus> GetConnections() => [.. _connections.Select(c => c.Status)];

    public override void Start()
    {
        foreach (CardIssuerConnection connection in _connections)
            _running.Add(Task.Run(() => connection.RunAsync(_stopping.Token)));
    }

    internal override bool TrySend(Transaction transaction)
    {
        int count = _connections.Length;
        int start = (int)((uint)Interlocked.Increment(ref _next) % (uint)count);
        for (int i = 0; i < count; i++)
        {
            CardIssuerConnection connection = _connections[(start + i) % count];
            if (connection.IsReady && connection.TrySend(transaction)) return true;
            if (transaction.IssuerRequestTooLarge) return false; // every connection of the link has the same framing
        }
        return false;
    }

    internal override void OnTick(long nowTimestamp)
    {
        foreach (CardIssuerConnection connection in _connections) connection.OnTick(nowTimestamp);
        int probe = Volatile.Read(ref _probeStan);
        if (probe != 0 && nowTimestamp - Volatile.Read(ref _probeSentAt) > TimeoutTicks
            && Interlocked.CompareExchange(ref _probeStan, 0, probe) == probe)
            Breaker.OnFailure(); // the echo went unanswered: open again for another period
    }

    /// <summary>Test and operator hook: drops every connection (they reconnect and sign on again).</summary>
    public void DropConnections(string reason)
    {
        foreach (CardIssuerConnection connection in _connections) connection.Abort(reason);
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (CardIssuerConnection connection in _connections) connection.SignOff();
        await Task.Delay(50).ConfigureAwait(false);
        _stopping.Cancel();
        foreach (CardIssuerConnection connection in _connections) connection.Abort(null);
        await Task.WhenAll(_running).ConfigureAwait(false);
        _stopping.Dispose();
    }
}
