using System.Diagnostics;
using PaymentSwitch.Core.Configuration;

namespace PaymentSwitch.Core.Issuers;

/// <summary>
/// Per-issuer circuit breaker. Closed → Open after a run of consecutive failures (timeouts, issuer malfunctions) or a
/// failure rate over a sliding window; Open → HalfOpen after the open period; HalfOpen → Closed on a successful probe
/// (an 0800 echo answered, or one trial request for wallet issuers), back to Open on a failed one.
/// </summary>
/// <remarks>
/// Lock-free: the state is one int changed by compare-and-swap; the window is a ring of one-second buckets updated
/// with interlocked increments. <see cref="AllowRequest"/> is a volatile read on the hot path.
/// </remarks>
public sealed class CircuitBreaker
{
    private const int Buckets = 64;
    private readonly CircuitBreakerOptions _options;
    private readonly long[] _bucketSecond = new long[Buckets];
    private readonly int[] _bucketRequests = new int[Buckets];
    private readonly int[] _bucketFailures = new int[Buckets];
    private int _state = (int)CircuitState.Closed;
    private int _consecutiveFailures;
    private long _openedAt;
    private int _trialTaken;
    private long _opened;

    public CircuitBreaker(CircuitBreakerOptions options) => _options = options;

    public CircuitState State => (CircuitState)Volatile.Read(ref _state);

    /// <summary>Times the breaker opened since start.</summary>
    public long OpenedTotal => Volatile.Read(ref _opened);

    /// <summary>True when a request may go to the issuer now.</summary>
    public bool AllowRequest(bool trialRequestsAllowed)
    {
        if (!_options.Enabled) return true;
        int state = Volatile.Read(ref _state);
        if (state == (int)CircuitState.Closed) return true;
        // Half-open wallet issuers get exactly one trial request; card issuers are probed with 0800 echo instead.
        return state == (int)CircuitState.HalfOpen && trialRequestsAllowed && Interlocked.Exchange(ref _trialTaken, 1) == 0;
    }

    /// <summary>
    /// An answer that is not a failure. Counts in the window and ends a run of failures, but never closes an open
    /// breaker: an answer to a request sent before it opened says little about the requests that are timing out.
    /// A half-open breaker closes only on its probe: <see cref="OnProbeSucceeded"/>, or, for a link probed with one
    /// trial request (wallet issuers, <paramref name="isTrialLink"/>), the answer that comes while half-open.
    /// </summary>
    public void OnSuccess(bool isTrialLink = false)
    {
        Interlocked.Exchange(ref _consecutiveFailures, 0);
        Count(failed: false);
        if (isTrialLink) Close(CircuitState.HalfOpen);
    }

    /// <summary>The half-open probe (an 0800 echo) was answered: the breaker closes.</summary>
    public void OnProbeSucceeded()
    {
        Interlocked.Exchange(ref _consecutiveFailures, 0);
        Close(CircuitState.HalfOpen);
    }

    private void Close(CircuitState from) => Interlocked.CompareExchange(ref _state, (int)CircuitState.Closed, (int)from);

    public void OnFailure()
    {
        if (!_options.Enabled) return;
        int consecutive = Interlocked.Increment(ref _consecutiveFailures);
        Count(failed: true);
        int state = Volatile.Read(ref _state);
        if (state == (int)CircuitState.HalfOpen || (state == (int)CircuitState.Closed && (consecutive >= _options.ConsecutiveFailures || RateExceeded())))
            Open(state);
    }

    private void Open(int from)
    {
        if (Interlocked.CompareExchange(ref _state, (int)CircuitState.Open, from) != from) return;
        Volatile.Write(ref _openedAt, Stopwatch.GetTimestamp());
        Interlocked.Increment(ref _opened);
    }

    /// <summary>Moves an open breaker to half-open once the open period has passed. Returns true when it just did (send a probe).</summary>
    public bool OnTick(long now)
    {
        if (Volatile.Read(ref _state) != (int)CircuitState.Open) return false;
        if (now - Volatile.Read(ref _openedAt) < _options.OpenMs * Stopwatch.Frequency / 1000) return false;
        Volatile.Write(ref _trialTaken, 0);
        return Interlocked.CompareExchange(ref _state, (int)CircuitState.HalfOpen, (int)CircuitState.Open) == (int)CircuitState.Open;
    }

    private void Count(bool failed)
    {
        long second = Stopwatch.GetTimestamp() / Stopwatch.Frequency;
        int index = (int)(second % Buckets);
        if (Volatile.Read(ref _bucketSecond[index]) != second)
        {
            // First event of a new second in this bucket: reset it (a race may lose an event; the rate is a guide).
            Volatile.Write(ref _bucketRequests[index], 0);
            Volatile.Write(ref _bucketFailures[index], 0);
            Volatile.Write(ref _bucketSecond[index], second);
        }
        Interlocked.Increment(ref _bucketRequests[index]);
        if (failed) Interlocked.Increment(ref _bucketFailures[index]);
    }

    private bool RateExceeded()
    {
        long now = Stopwatch.GetTimestamp() / Stopwatch.Frequency;
        int seconds = Math.Clamp(_options.WindowMs / 1000, 1, Buckets - 1);
        long requests = 0, failures = 0;
        for (int i = 0; i < seconds; i++)
        {
            int index = (int)((now - i) % Buckets);
            if (Volatile.Read(ref _bucketSecond[index]) != now - i) continue;
            requests += Volatile.Read(ref _bucketRequests[index]);
            failures += Volatile.Read(ref _bucketFailures[index]);
        }
        return requests >= _options.MinimumRequests && failures * 100 >= requests * _options.FailureRatePercent;
    }
}
