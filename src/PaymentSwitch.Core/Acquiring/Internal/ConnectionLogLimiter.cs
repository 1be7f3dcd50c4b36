using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PaymentSwitch.Core.Logging;

namespace PaymentSwitch.Core.Acquiring.Internal;

/// <summary>
/// A log budget per <see cref="ConnectionEvent"/>: at most <see cref="LinesPerSecond"/> lines a second for each
/// reason; the rest are counted, and one summary line per reason and window says how many were left out. Lock-free
/// (a few interlocked operations), so a flood of hostile connections costs counters, not formatted log lines.
/// </summary>
/// <remarks>
/// The window rolls on the next event of that reason or on <see cref="Flush"/> (the listener's sweep calls it), so a
/// summary is never held back for long after a flood stops. Under a race a window may let a line or two more through.
/// </remarks>
internal sealed class ConnectionLogLimiter
{
    /// <summary>Log lines per second allowed for each reason.</summary>
    public const int LinesPerSecond = 10;

    private const long WindowMs = 1000;

    private readonly Budget[] _budgets;
    private readonly ILogger _logger;
    private readonly string _name;

    public ConnectionLogLimiter(ILogger logger, string name)
    {
        _logger = logger;
        _name = name;
        _budgets = new Budget[ConnectionEventNames.Count];
        for (int i = 0; i < _budgets.Length; i++) _budgets[i] = new Budget();
    }

    /// <summary>Lines left out so far, over all reasons (for tests and the status page).</summary>
    public long SuppressedTotal => Volatile.Read(ref _suppressedTotal);

    private long _suppressedTotal;

    /// <summary>True when a line for <paramref name="e"/> may be written now; false counts it as left out.</summary>
    public bool TryAcquire(ConnectionEvent e)
    {
        Debug.Assert(e != ConnectionEvent.None);
        Budget budget = _budgets[(int)e];
        long now = Environment.TickCount64;
        long start = Volatile.Read(ref budget.WindowStartMs);
        if (now - start >= WindowMs) Roll(budget, e, start, now);
        if (Interlocked.Increment(ref budget.Logged) <= LinesPerSecond) return true;
        Interlocked.Increment(ref budget.Suppressed);
        Interlocked.Increment(ref _suppressedTotal);
        return false;
    }

    /// <summary>Writes the summary of every window that has ended with lines left out.</summary>
    public void Flush()
    {
        long now = Environment.TickCount64;
        for (int i = 0; i < _budgets.Length; i++)
        {
            Budget budget = _budgets[i];
            long start = Volatile.Read(ref budget.WindowStartMs);
            if (now - start >= WindowMs && Volatile.Read(ref budget.Suppressed) > 0) Roll(budget, (ConnectionEvent)i, start, now);
        }
    }

    private void Roll(Budget budget, ConnectionEvent e, long start, long now)
    {
        if (Interlocked.CompareExchange(ref budget.WindowStartMs, now, start) != start) return; // another thread rolled it
        int suppressed = Interlocked.Exchange(ref budget.Suppressed, 0);
        Volatile.Write(ref budget.Logged, 0);
        if (suppressed > 0)
            SwitchLog.AcquirerConnectionEventsNotLogged(_logger, _name, suppressed, ConnectionEventNames.Name(e), Math.Min(now - start, 99_999_999), LinesPerSecond);
    }

    private sealed class Budget
    {
        public long WindowStartMs;
        public int Logged;
        public int Suppressed;
    }
}
