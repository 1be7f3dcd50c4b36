using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PaymentSwitch.Core.Issuers;

namespace PaymentSwitch.Host.Status;

/// <summary>The operator HTTP endpoint: liveness and readiness.</summary>
internal static class StatusEndpoints
{
    public static void Map(WebApplication app, SwitchRuntime runtime)
    {
        app.MapGet("/health/live", () => Results.Text("live\n"));
        app.MapGet("/health/ready", () =>
        {
            IReadOnlyList<string> missing = Readiness.Missing(runtime);
            return missing.Count == 0
                ? Results.Text("ready\n")
                : Results.Text("not ready:\n" + string.Concat(missing.Select(m => "  " + m + "\n")), statusCode: StatusCodes.Status503ServiceUnavailable);
        });
    }
}

/// <summary>What keeps the switch from being ready, in words an operator can act on.</summary>
internal static class Readiness
{
    public static IReadOnlyList<string> Missing(SwitchRuntime runtime)
    {
        var missing = new List<string>();
        if (!runtime.ListenersOpen || runtime.Engine is null)
        {
            missing.Add("acquirer listeners are not open yet");
            return missing;
        }
        if (runtime.Journal is PaymentSwitch.Core.Durability.TransactionJournal journal && journal.Journal.HealthProblem is string problem)
            missing.Add("journal: " + problem);
        IReadOnlyList<string> routed = runtime.Router!.Current.Issuers;
        foreach (string id in routed)
        {
            IssuerLink? link = runtime.Engine.Issuers.Find(id);
            if (link is null) missing.Add($"routes name issuer '{id}', which is not configured");
            else if (link.IsSuspended) continue; // an operator's choice for one issuer does not take the whole switch out
            else if (!link.HasReadyConnection) missing.Add($"issuer '{id}' has no signed-on connection");
        }
        return missing;
    }
}
