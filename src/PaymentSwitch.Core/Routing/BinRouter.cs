using System.Diagnostics;

namespace PaymentSwitch.Core.Routing;

/// <summary>
/// Holds the BIN routing table in force. Lookups read the current snapshot once, without a lock, and run against
/// it; a reload builds a new table on the caller's thread and publishes it with one atomic reference swap. A
/// failed build leaves the current table in place and says why.
/// </summary>
/// <remarks>
/// Writers (reloads, <see cref="Publish"/>) are serialised among themselves so versions stay in order; readers
/// never wait for them. A lookup that started on the old table finishes on it, and its
/// <see cref="BinRouteMatch.Table"/> says which snapshot answered.
/// </remarks>
public sealed class BinRouter
{
    private readonly Lock _writerGate = new();
    private readonly IReadOnlySet<string>? _knownIssuers;
    private readonly TimeProvider _timeProvider;
    private BinRoutingTable _current;

    /// <summary>Creates a router holding <paramref name="initial"/> (for instance <see cref="BinRoutingTable.Empty"/>).</summary>
    /// <param name="initial">The first table in force.</param>
    /// <param name="knownIssuers">When set, reloads reject routes naming other issuers.</param>
    /// <param name="timeProvider">Clock for the snapshots' build time.</param>
    public BinRouter(BinRoutingTable initial, IReadOnlySet<string>? knownIssuers = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(initial);
        _current = initial;
        _knownIssuers = knownIssuers;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The table in force. Read it once and use that snapshot for everything about one message.</summary>
    public BinRoutingTable Current => Volatile.Read(ref _current);

    /// <summary>Looks the card number up in the current table (no lock, no allocation).</summary>
    public BinRouteMatch Lookup(ReadOnlySpan<byte> pan) => Volatile.Read(ref _current).Lookup(pan);

    /// <summary>Looks the card number up in the current table (no lock, no allocation).</summary>
    public BinRouteMatch Lookup(ReadOnlySpan<char> pan) => Volatile.Read(ref _current).Lookup(pan);

    /// <summary>
    /// Builds a table from <paramref name="routes"/> as version <c>Current.Version + 1</c> and swaps it in; if the
    /// routes are invalid the current table stays and the result lists the errors. With
    /// <paramref name="expectedVersion"/>, the swap happens only if that version is still in force when this writer
    /// holds the gate (otherwise <see cref="BinRouteReloadOutcome.Superseded"/>): a read-modify-write by an operator
    /// cannot silently undo a change made in between.
    /// </summary>
    public BinRouteReloadResult Reload(IReadOnlyList<BinRoute> routes, string? source = null, long? expectedVersion = null)
    {
        ArgumentNullException.ThrowIfNull(routes);
        lock (_writerGate)
        {
            long startedAt = Stopwatch.GetTimestamp();
            BinRoutingTable previous = _current;
            if (expectedVersion is long expected && previous.Version != expected)
            {
                return new BinRouteReloadResult(
                    BinRouteReloadOutcome.Superseded, previous, null, [], source, Stopwatch.GetElapsedTime(startedAt).TotalMilliseconds);
            }

            var options = new BinRoutingTableBuildOptions
            {
                Version = previous.Version + 1,
                Source = source,
                KnownIssuers = _knownIssuers,
                TimeProvider = _timeProvider,
            };
            if (!BinRoutingTable.TryBuild(routes, options, out BinRoutingTable? table, out IReadOnlyList<BinRouteError> errors))
            {
                return Rejected(errors, source, startedAt);
            }

            BinRoutingTable replaced = Interlocked.Exchange(ref _current, table);
            Debug.Assert(ReferenceEquals(replaced, previous));
            return new BinRouteReloadResult(
                BinRouteReloadOutcome.Swapped, table, replaced, [], source, Stopwatch.GetElapsedTime(startedAt).TotalMilliseconds);
        }
    }

    /// <summary>
    /// Puts a table built elsewhere in force and returns the one it replaced. The table keeps the version it was
    /// built with.
    /// </summary>
    public BinRoutingTable Publish(BinRoutingTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        lock (_writerGate)
        {
            return Interlocked.Exchange(ref _current, table);
        }
    }

    /// <summary>A rejected reload (unreadable or invalid input found before building), keeping the current table.</summary>
    internal BinRouteReloadResult Rejected(IReadOnlyList<BinRouteError> errors, string? source, long startedAtTimestamp) =>
        new(BinRouteReloadOutcome.Rejected, Current, null, errors, source,
            Stopwatch.GetElapsedTime(startedAtTimestamp).TotalMilliseconds);

    /// <summary>An unchanged source: nothing rebuilt.</summary>
    internal BinRouteReloadResult Unchanged(string? source, long startedAtTimestamp) =>
        new(BinRouteReloadOutcome.Unchanged, Current, null, [], source,
            Stopwatch.GetElapsedTime(startedAtTimestamp).TotalMilliseconds);
}
