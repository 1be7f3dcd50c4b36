using System.Reflection;
using System.Text.Json;
using PaymentSwitch.Core.Acquiring;
using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Core.Issuers;
using PaymentSwitch.Core.Metrics;
using PaymentSwitch.Core.Routing;
using PaymentSwitch.Journal;

namespace PaymentSwitch.Host.Status;

/// <summary>
/// Writes the <c>GET /status</c> document: one JSON object with everything an operator (or the dashboard) needs at a
/// glance. Reads lock-free snapshots and counters; allocates freely (it is not on the transaction path). Carries no
/// card numbers: the only digits that come from traffic are counts.
/// </summary>
internal static class StatusDocument
{
    public static readonly string Version =
        typeof(StatusDocument).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(StatusDocument).Assembly.GetName().Version?.ToString() ?? "unknown";

    public static void Write(Utf8JsonWriter json, SwitchRuntime runtime, SwitchMetrics metrics, IReadOnlyList<string> notReady, DateTimeOffset now)
    {
        SwitchEngine engine = metrics.Engine;
        SwitchMetricsSnapshot snapshot = metrics.Latest;
        json.WriteStartObject();
        json.WriteString("version", Version);
        json.WriteString("startedAtUtc", runtime.StartedAt);
        json.WriteNumber("uptimeSeconds", Math.Round((now - runtime.StartedAt).TotalSeconds, 1));
        json.WriteString("nowUtc", now);
        json.WriteBoolean("ready", notReady.Count == 0);
        WriteStrings(json, "notReady", notReady);
        if (metrics.SamplerProblem is string problem) json.WriteString("metricsProblem", problem);

        json.WriteStartArray("listeners");
        foreach (AcquirerListener listener in metrics.Listeners)
        {
            json.WriteStartObject();
            json.WriteString("name", listener.Name);
            json.WriteString("endpoint", listener.LocalEndPoint?.ToString());
            json.WriteNumber("connections", listener.ConnectionCount);
            json.WriteEndObject();
        }
        json.WriteEndArray();

        WriteThroughput(json, snapshot);
        WriteLatency(json, snapshot);

        SwitchCounters counters = engine.Counters;
        json.WriteStartObject("inFlight");
        json.WriteNumber("total", engine.InFlight);
        json.WriteStartObject("byIssuer");
        foreach (IssuerLink link in engine.Issuers.All) json.WriteNumber(link.Id, link.InFlight);
        json.WriteEndObject();
        json.WriteEndObject();

        json.WriteStartObject("requests");
        json.WriteNumber("received", counters.ReceivedTotal);
        json.WriteNumber("answered", counters.AnsweredTotal);
        json.WriteNumber("timedOut", counters.TimedOutTotal);
        json.WriteNumber("lateAnswers", counters.LateAnswersTotal);
        json.WriteNumber("shed", counters.ShedTotal);
        json.WriteEndObject();

        json.WriteStartObject("answersByResponseCode");
        foreach (KeyValuePair<string, long> code in counters.AnswersByResponseCode()) json.WriteNumber(code.Key, code.Value);
        json.WriteEndObject();

        IReadOnlyDictionary<string, int> owed = engine.Reversals.DepthByIssuer();
        WriteIssuers(json, engine, metrics, owed);

        json.WriteStartObject("reversals");
        json.WriteNumber("owed", owed.Values.Sum());
        json.WriteStartObject("byIssuer");
        foreach (KeyValuePair<string, int> depth in owed.OrderBy(d => d.Key, StringComparer.Ordinal)) json.WriteNumber(depth.Key, depth.Value);
        json.WriteEndObject();
        json.WriteNumber("completed", engine.Reversals.CompletedTotal);
        json.WriteNumber("attempts", engine.Reversals.AttemptsTotal);
        json.WriteEndObject();

        WriteJournal(json, runtime, metrics.ReadJournalStats(), snapshot);

        BinRoutingTable routes = engine.Router.Current;
        json.WriteStartObject("routes");
        json.WriteNumber("count", routes.RouteCount);
        json.WriteNumber("version", routes.Version);
        json.WriteString("loadedAtUtc", routes.BuiltAtUtc);
        json.WriteString("source", routes.Source);
        WriteStrings(json, "issuers", routes.Issuers);
        json.WriteEndObject();

        json.WriteEndObject();
    }

    private static void WriteThroughput(Utf8JsonWriter json, SwitchMetricsSnapshot snapshot)
    {
        json.WriteStartObject("throughput");
        json.WriteNumber("lastSecond", Math.Round(snapshot.AnswersPerSecondLastSecond, 1));
        json.WriteNumber("lastMinute", snapshot.AnswersLastMinute);
        int seconds = Math.Min(snapshot.AnswersPerSecond.Count, 60);
        json.WriteNumber("lastMinutePerSecond", seconds == 0 ? 0 : Math.Round((double)snapshot.AnswersLastMinute / seconds, 1));
        json.WriteString("sampledAtUtc", snapshot.TakenAtUtc);
        json.WriteNumber("intervalSeconds", 1);
        json.WriteStartArray("answersPerSecond");
        foreach (long n in snapshot.AnswersPerSecond) json.WriteNumberValue(n);
        json.WriteEndArray();
        json.WriteStartArray("p99MsPerSecond");
        foreach (double ms in snapshot.P99MsPerSecond) json.WriteNumberValue(Math.Round(ms, 3));
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteLatency(Utf8JsonWriter json, SwitchMetricsSnapshot snapshot)
    {
        json.WriteStartObject("latency");
        json.WriteNumber("windowSeconds", SwitchMetricsSnapshot.WindowSeconds);
        WriteSummary(json, "lastMinute", snapshot.LastMinute);
        WriteSummary(json, "sinceStart", snapshot.SinceStart);
        json.WriteStartObject("byIssuer");
        foreach (IssuerLatencySnapshot issuer in snapshot.Issuers)
        {
            json.WriteStartObject(issuer.IssuerId);
            WriteSummary(json, "lastMinute", issuer.LastMinute);
            WriteSummary(json, "sinceStart", issuer.SinceStart);
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteSummary(Utf8JsonWriter json, string name, LatencySummary summary)
    {
        json.WriteStartObject(name);
        json.WriteNumber("count", summary.Count);
        json.WriteNumber("meanMs", Math.Round(summary.MeanMs, 3));
        json.WriteNumber("p50Ms", summary.P50Ms);
        json.WriteNumber("p90Ms", summary.P90Ms);
        json.WriteNumber("p99Ms", summary.P99Ms);
        json.WriteNumber("p999Ms", summary.P999Ms);
        json.WriteNumber("maxMs", summary.MaxMs);
        json.WriteEndObject();
    }

    private static void WriteIssuers(Utf8JsonWriter json, SwitchEngine engine, SwitchMetrics metrics, IReadOnlyDictionary<string, int> owed)
    {
        ILookup<string, IssuerAnswerCount> answers = metrics.ReadAnswerCounts().ToLookup(a => a.IssuerId, StringComparer.Ordinal);
        IReadOnlyList<string> routed = engine.Router.Current.Issuers;
        json.WriteStartArray("issuers");
        foreach (IssuerLink link in engine.Issuers.All)
        {
            IReadOnlyList<IssuerConnectionStatus> connections = link.GetConnections();
            json.WriteStartObject();
            json.WriteString("id", link.Id);
            json.WriteString("kind", link.Kind);
            json.WriteString("state", link.IsSuspended ? "suspended" : link.HasReadyConnection ? "up" : "down");
            json.WriteBoolean("available", link.IsAvailable);
            json.WriteBoolean("suspended", link.IsSuspended);
            json.WriteBoolean("routed", routed.Contains(link.Id, StringComparer.Ordinal));
            json.WriteNumber("inFlight", link.InFlight);
            json.WriteNumber("reversalsOwed", owed.GetValueOrDefault(link.Id));
            json.WriteNumber("readyConnections", connections.Count(c => c.State == IssuerLinkState.Ready));
            json.WriteStartArray("connections");
            foreach (IssuerConnectionStatus connection in connections)
            {
                json.WriteStartObject();
                json.WriteString("endpoint", connection.Endpoint);
                json.WriteString("state", SwitchMetrics.StateLabel(connection.State));
                json.WriteString("lastError", connection.LastError is null ? null : CardNumberRedaction.Redact(connection.LastError));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartObject("answersByResponseCode");
            foreach (IssuerAnswerCount count in answers[link.Id].OrderBy(a => a.Code.Index)) json.WriteNumber(count.Code.ToString(), count.Count);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void WriteJournal(Utf8JsonWriter json, SwitchRuntime runtime, JournalStats? maybeStats, SwitchMetricsSnapshot snapshot)
    {
        json.WriteStartObject("journal");
        if (maybeStats is not JournalStats stats)
        {
            json.WriteBoolean("enabled", false);
            json.WriteEndObject();
            return;
        }
        json.WriteBoolean("enabled", true);
        json.WriteString("durability", runtime.Options.Journal.Durability);
        json.WriteBoolean("healthy", stats.HealthProblem is null);
        json.WriteString("healthProblem", stats.HealthProblem);
        json.WriteString("maintenanceProblem", stats.MaintenanceProblem);
        json.WriteNumber("segments", stats.SegmentCount);
        json.WriteNumber("segmentBytes", stats.SegmentBytes);
        json.WriteNumber("segmentsRetired", stats.SegmentsRetired);
        json.WriteNumber("segmentsZeroFilled", stats.SegmentsZeroFilled);
        json.WriteBoolean("directWrites", stats.DirectWrites);
        json.WriteNumber("appendsWaited", stats.AppendsWaited);
        json.WriteNumber("recordsAppended", stats.RecordsAppended);
        json.WriteNumber("bytesAppended", stats.BytesAppended);
        json.WriteNumber("fsyncs", stats.FsyncCount);
        json.WriteNumber("recordsPerFsync", Math.Round(stats.RecordsPerFsyncMean, 2));
        json.WriteNumber("fsyncLatencyMeanUs", Math.Round(stats.FsyncLatencyMeanMicroseconds, 1));
        json.WriteNumber("fsyncLatencyMaxUs", Math.Round(stats.FsyncLatencyMaxMicroseconds, 1));
        json.WriteStartObject("fsyncLatency");
        WriteSummary(json, "lastMinute", snapshot.FsyncLastMinute);
        WriteSummary(json, "sinceStart", snapshot.FsyncSinceStart);
        json.WriteEndObject();
        json.WriteNumber("pendingRecords", stats.PendingRecords);
        json.WriteNumber("waitingAppenders", stats.WaitingAppenders);
        json.WriteNumber("durableSequence", stats.DurableSequence);
        json.WriteNumber("freeBytes", stats.FreeBytes);
        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (string value in values) json.WriteStringValue(value);
        json.WriteEndArray();
    }
}
