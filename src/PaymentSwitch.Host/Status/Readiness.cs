using PaymentSwitch.Core.Durability;
using PaymentSwitch.Core.Issuers;

namespace PaymentSwitch.Host.Status;

/// <summary>What keeps the switch from being ready, in words an operator can act on.</summary>
/// <remarks>
/// Ready means: the journal is recovered and writable, the acquirer listeners are open, and every issuer the routes
/// name has at least one signed-on connection. An issuer an operator suspended does not count as missing (that was
/// a choice for one issuer, not a fault of the switch).
/// </remarks>
internal static class Readiness
{
    public static IReadOnlyList<string> Missing(SwitchRuntime runtime)
    {
        var missing = new List<string>();
        if (runtime.Journal is null)
        {
            missing.Add("the journal is not recovered yet");
            return missing;
        }
        // Read once: the runtime clears them while it stops.
        Core.Authorisation.SwitchEngine? engine = runtime.Engine;
        Core.Routing.BinRouter? router = runtime.Router;
        if (runtime.WarmingUp)
        {
            missing.Add("warming up: synthetic traffic through a throwaway engine before the listeners open");
            return missing;
        }
        if (!runtime.ListenersOpen || engine is null || router is null)
        {
            missing.Add("acquirer listeners are not open yet");
            return missing;
        }
        if (engine.Draining)
        {
            missing.Add("the switch is stopping (new requests are answered 91)");
            return missing;
        }
        if (runtime.Journal is TransactionJournal journal && journal.Journal.HealthProblem is string problem)
            missing.Add("journal: " + problem);
        foreach (string id in router.Current.Issuers)
        {
            IssuerLink? link = engine.Issuers.Find(id);
            if (link is null) missing.Add($"routes name issuer '{id}', which is not configured");
            else if (link.IsSuspended) continue;
            else if (!link.HasReadyConnection) missing.Add($"issuer '{id}' has no signed-on connection");
        }
        return missing;
    }
}
