using Microsoft.Extensions.Logging;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Simulators.Internal;

/// <summary>What every connection of one card issuer simulator shares: wire format, authoriser, latency and the current fault.</summary>
internal sealed class CardIssuerContext
{
    private FaultMode _fault;
    private long _dropCounter;
    private readonly Lazy<ReplyScheduler> _scheduler = new(() => new ReplyScheduler(), LazyThreadSafetyMode.ExecutionAndPublication);

    public CardIssuerContext(Dialect dialect, Framing framing, CardAuthoriser authoriser, IssuerLedger ledger, ILogger logger,
        int latencyMs, int jitterMs, int maxPendingReplies, FaultMode fault)
    {
        Dialect = dialect;
        Framing = framing;
        Authoriser = authoriser;
        Ledger = ledger;
        Logger = logger;
        LatencyMs = latencyMs;
        JitterMs = jitterMs;
        MaxPendingReplies = maxPendingReplies;
        _fault = fault;
    }

    public Dialect Dialect { get; }
    public Framing Framing { get; }
    public CardAuthoriser Authoriser { get; }
    public IssuerLedger Ledger { get; }
    public ILogger Logger { get; }
    public int LatencyMs { get; }
    public int JitterMs { get; }
    public int MaxPendingReplies { get; }

    /// <summary>Wakes connections when delayed answers are due; started by the first delayed answer.</summary>
    public ReplyScheduler Scheduler => _scheduler.Value;

    /// <summary>Stops the scheduler thread when it was started.</summary>
    public void StopScheduler()
    {
        if (_scheduler.IsValueCreated) _scheduler.Value.Dispose();
    }

    /// <summary>The fault in force (read once per message, without a lock).</summary>
    public FaultMode Fault => Volatile.Read(ref _fault);

    /// <summary>Swaps the fault; returns the previous one. Restarts the <c>drop:N</c> count.</summary>
    public FaultMode SetFault(FaultMode fault)
    {
        Interlocked.Exchange(ref _dropCounter, 0);
        return Interlocked.Exchange(ref _fault, fault);
    }

    /// <summary>True when this request is the one the <c>drop</c> fault closes the connection on.</summary>
    public bool ShouldDrop(FaultMode fault) => Interlocked.Increment(ref _dropCounter) % fault.EveryNth == 0;
}
