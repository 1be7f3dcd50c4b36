using System.Globalization;
using System.Text;

namespace PaymentSwitch.Core.Routing;

/// <summary>The report of one reload attempt: what happened, which table is in force, and why if it failed.</summary>
public sealed class BinRouteReloadResult
{
    internal BinRouteReloadResult(
        BinRouteReloadOutcome outcome, BinRoutingTable current, BinRoutingTable? previous,
        IReadOnlyList<BinRouteError> errors, string? source, double elapsedMs)
    {
        Outcome = outcome;
        Current = current;
        Previous = previous;
        Errors = errors;
        Source = source;
        ElapsedMs = elapsedMs;
    }

    /// <summary>What the reload did.</summary>
    public BinRouteReloadOutcome Outcome { get; }

    /// <summary>True when the routes asked for are in force: <see cref="BinRouteReloadOutcome.Swapped"/> or <see cref="BinRouteReloadOutcome.Unchanged"/>.</summary>
    public bool Succeeded => Outcome is BinRouteReloadOutcome.Swapped or BinRouteReloadOutcome.Unchanged;

    /// <summary>The table in force after the attempt (the old one when rejected, superseded or unchanged).</summary>
    public BinRoutingTable Current { get; }

    /// <summary>The table replaced, when <see cref="BinRouteReloadOutcome.Swapped"/>.</summary>
    public BinRoutingTable? Previous { get; }

    /// <summary>Why the routes were rejected (empty otherwise).</summary>
    public IReadOnlyList<BinRouteError> Errors { get; }

    /// <summary>Where the routes came from (file path and content hash, …).</summary>
    public string? Source { get; }

    /// <summary>Time spent reading, validating and building.</summary>
    public double ElapsedMs { get; }

    /// <summary>One paragraph for the log: outcome, versions, route counts, and the errors.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        string from = Source is null ? string.Empty : " from " + Source;
        switch (Outcome)
        {
            case BinRouteReloadOutcome.Swapped:
                text.Append(CultureInfo.InvariantCulture,
                    $"BIN routes reloaded{from}: version {Previous?.Version} -> {Current.Version}, {Current.RouteCount} routes, built in {ElapsedMs:F0} ms.");
                break;
            case BinRouteReloadOutcome.Unchanged:
                text.Append(CultureInfo.InvariantCulture,
                    $"BIN routes{from} unchanged; version {Current.Version} ({Current.RouteCount} routes) stays in force.");
                break;
            case BinRouteReloadOutcome.Superseded:
                text.Append(CultureInfo.InvariantCulture,
                    $"BIN routes{from} not applied: they were based on an earlier version, and version {Current.Version} ({Current.RouteCount} routes) is in force.");
                break;
            default:
                text.Append(CultureInfo.InvariantCulture,
                    $"BIN routes{from} rejected; version {Current.Version} ({Current.RouteCount} routes) stays in force. Fix the routes and save again:");
                foreach (BinRouteError error in Errors)
                {
                    text.AppendLine().Append("  ").Append(error);
                }

                break;
        }

        return text.ToString();
    }
}
