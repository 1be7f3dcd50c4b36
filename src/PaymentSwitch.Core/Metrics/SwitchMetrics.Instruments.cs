using System.Diagnostics.Metrics;
using PaymentSwitch.Core.Acquiring;
using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Core.Durability;
using PaymentSwitch.Core.Issuers;
using PaymentSwitch.Core.Metrics.Internal;
using PaymentSwitch.Core.Routing;
using PaymentSwitch.Journal;

namespace PaymentSwitch.Core.Metrics;

public sealed partial class SwitchMetrics
{
    /// <summary>
    /// Creates the instruments. Everything but the latency histogram is observable: read when a listener collects, so
    /// the hot path pays nothing for them. Names follow the OpenTelemetry conventions; the Prometheus names the
    /// operator endpoint serves are derived from them (dots to underscores, unit suffix, <c>_total</c> on counters).
    /// </summary>
    private Histogram<double> CreateInstruments(Meter meter)
    {
        meter.CreateObservableCounter("paymentswitch.authorisations", ObserveAnswers, "{answer}",
            "Answers sent to acquirers, by issuer (\"switch\" when the switch answered itself) and response code (DE39).");
        Histogram<double> duration = meter.CreateHistogram<double>("paymentswitch.authorisation.duration", "s",
            "Time from a request's arrival to its answer being handed to the acquirer connection, by issuer.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBucketBoundsSeconds });
        meter.CreateObservableGauge("paymentswitch.authorisation.duration.window", ObserveWindowLatency, "s",
            $"Latency percentiles over the last {SwitchMetricsSnapshot.WindowSeconds} seconds from the HDR histograms, overall (no issuer label) and by issuer.");
        meter.CreateObservableGauge("paymentswitch.throughput", () => Latest.AnswersPerSecondLastSecond, "{answer}/s",
            "Answers per second over the last sampled second.");

        SwitchCounters counters = _engine.Counters;
        meter.CreateObservableCounter("paymentswitch.requests.received", () => counters.ReceivedTotal, "{request}",
            "Requests received from acquirers.");
        meter.CreateObservableCounter("paymentswitch.requests.timed_out", () => counters.TimedOutTotal, "{request}",
            "Requests whose issuer did not answer in time (answered DE39 = 91 and reversed).");
        meter.CreateObservableCounter("paymentswitch.answers.late", () => counters.LateAnswersTotal, "{answer}",
            "Issuer answers that arrived after the timeout.");
        meter.CreateObservableCounter("paymentswitch.requests.shed", () => counters.ShedTotal, "{request}",
            "Requests refused at once because the switch was at its in-flight limit.");
        meter.CreateObservableUpDownCounter("paymentswitch.in_flight", () => _engine.InFlight, "{request}",
            "Requests received and not yet answered.");

        meter.CreateObservableUpDownCounter("paymentswitch.issuer.in_flight", () => PerIssuer(l => l.InFlight), "{request}",
            "Requests sent to the issuer and not yet answered or timed out.");
        meter.CreateObservableGauge("paymentswitch.issuer.up", () => PerIssuer(l => l.HasReadyConnection ? 1 : 0), "1",
            "1 when the issuer has at least one signed-on connection (card) or answers (wallet).");
        meter.CreateObservableGauge("paymentswitch.issuer.suspended", () => PerIssuer(l => l.IsSuspended ? 1 : 0), "1",
            "1 while an operator has suspended the issuer (its requests are answered DE39 = 91).");
        meter.CreateObservableUpDownCounter("paymentswitch.issuer.connections", ObserveIssuerConnections, "{connection}",
            "Issuer connections by state.");
        meter.CreateObservableUpDownCounter("paymentswitch.reversal_queue.depth", ObserveReversalDepth, "{reversal}",
            "Reversals owed to the issuer and not yet answered (store-and-forward queue).");
        meter.CreateObservableCounter("paymentswitch.reversals.completed", () => _engine.Reversals.CompletedTotal, "{reversal}",
            "Reversals the issuers have answered.");
        meter.CreateObservableCounter("paymentswitch.reversals.attempts", () => _engine.Reversals.AttemptsTotal, "{attempt}",
            "Reversal messages sent (first attempts and repeats).");
        meter.CreateObservableUpDownCounter("paymentswitch.acquirer.connections", ObserveAcquirerConnections, "{connection}",
            "Open acquirer connections by listener.");

        meter.CreateObservableUpDownCounter("paymentswitch.journal.segments", () => JournalObservation(s => s.SegmentCount), "{segment}",
            "Live journal segment files.");
        meter.CreateObservableUpDownCounter("paymentswitch.journal.segment.size", () => JournalObservation(s => s.SegmentBytes), "By",
            "Bytes of the live journal segment files.");
        meter.CreateObservableCounter("paymentswitch.journal.records", () => JournalObservation(s => s.RecordsAppended), "{record}",
            "Records written to the journal since start.");
        meter.CreateObservableCounter("paymentswitch.journal.written", () => JournalObservation(s => s.BytesAppended), "By",
            "Record bytes written to the journal since start.");
        meter.CreateObservableCounter("paymentswitch.journal.fsyncs", () => JournalObservation(s => s.FsyncCount), "{fsync}",
            "fdatasync calls on journal data since start (one per group commit).");
        meter.CreateObservableGauge("paymentswitch.journal.records_per_fsync", () => JournalObservation(s => s.RecordsPerFsyncMean), "{record}",
            "Mean records made durable per fdatasync.");
        meter.CreateObservableGauge("paymentswitch.journal.fsync.duration.mean", () => JournalObservation(s => s.FsyncLatencyMeanMicroseconds / 1e6), "s",
            "Mean fdatasync duration since start.");
        meter.CreateObservableGauge("paymentswitch.journal.fsync.duration.max", () => JournalObservation(s => s.FsyncLatencyMaxMicroseconds / 1e6), "s",
            "Longest fdatasync duration since start.");
        meter.CreateObservableGauge("paymentswitch.journal.fsync.duration.window", () => Quantiles(Latest.FsyncLastMinute, null), "s",
            $"fdatasync duration percentiles over the last {SwitchMetricsSnapshot.WindowSeconds} seconds from an HDR histogram.");
        meter.CreateObservableUpDownCounter("paymentswitch.journal.pending_records", () => JournalObservation(s => s.PendingRecords), "{record}",
            "Records waiting for the journal writer.");
        meter.CreateObservableGauge("paymentswitch.journal.healthy", () => JournalObservation(s => s.HealthProblem is null ? 1 : 0), "1",
            "1 while the journal accepts writes; 0 when it has a problem (see /status).");

        meter.CreateObservableUpDownCounter("paymentswitch.routes", () => _engine.Router.Current.RouteCount, "{route}",
            "BIN routes in the table in force.");
        meter.CreateObservableGauge("paymentswitch.routes.version", () => _engine.Router.Current.Version, "1",
            "Version of the BIN routing table in force (grows by one per reload).");
        meter.CreateObservableGauge("paymentswitch.routes.loaded_time", () => _engine.Router.Current.BuiltAtUtc.ToUnixTimeMilliseconds() / 1000.0, "s",
            "When the routing table in force was built (Unix time).");
        meter.CreateObservableGauge("paymentswitch.start_time", () => StartedAtUtc.ToUnixTimeMilliseconds() / 1000.0, "s",
            "When the switch started (Unix time).");
        return duration;
    }

    private IEnumerable<Measurement<long>> ObserveAnswers()
    {
        foreach (IssuerAnswerCount count in ReadAnswerCounts())
            yield return new Measurement<long>(count.Count, Tag("issuer", count.IssuerId), Tag("response_code", count.Code.ToString()));
    }

    private IEnumerable<Measurement<double>> ObserveWindowLatency()
    {
        SwitchMetricsSnapshot snapshot = Latest;
        foreach (Measurement<double> m in Quantiles(snapshot.LastMinute, null)) yield return m;
        foreach (IssuerLatencySnapshot issuer in snapshot.Issuers)
        {
            foreach (Measurement<double> m in Quantiles(issuer.LastMinute, issuer.IssuerId)) yield return m;
        }
    }

    private static IEnumerable<Measurement<double>> Quantiles(LatencySummary summary, string? issuer)
    {
        if (summary.Count == 0) yield break;
        yield return Quantile(summary.P50Ms, "0.5", issuer);
        yield return Quantile(summary.P90Ms, "0.9", issuer);
        yield return Quantile(summary.P99Ms, "0.99", issuer);
        yield return Quantile(summary.P999Ms, "0.999", issuer);
        yield return Quantile(summary.MaxMs, "1", issuer);
    }

    private static Measurement<double> Quantile(double milliseconds, string quantile, string? issuer)
    {
        double seconds = Math.Round(milliseconds / 1000.0, 9); // whole nanoseconds: no binary noise in the text
        return issuer is null
            ? new Measurement<double>(seconds, Tag("quantile", quantile))
            : new Measurement<double>(seconds, Tag("issuer", issuer), Tag("quantile", quantile));
    }

    private IEnumerable<Measurement<int>> PerIssuer(Func<IssuerLink, int> read)
    {
        foreach (IssuerLink link in _engine.Issuers.All) yield return new Measurement<int>(read(link), Tag("issuer", link.Id));
    }

    private IEnumerable<Measurement<int>> ObserveIssuerConnections()
    {
        IssuerLinkState[] states = Enum.GetValues<IssuerLinkState>();
        foreach (IssuerLink link in _engine.Issuers.All)
        {
            var byState = new int[states.Length];
            foreach (IssuerConnectionStatus connection in link.GetConnections())
            {
                int index = Array.IndexOf(states, connection.State);
                if (index >= 0) byState[index]++;
            }
            for (int i = 0; i < states.Length; i++)
                yield return new Measurement<int>(byState[i], Tag("issuer", link.Id), Tag("state", StateLabel(states[i])));
        }
    }

    /// <summary>Lower-case label for a connection state (<c>signing_on</c>, <c>ready</c>, ...).</summary>
    public static string StateLabel(IssuerLinkState state) => state switch
    {
        IssuerLinkState.Disconnected => "disconnected",
        IssuerLinkState.Connecting => "connecting",
        IssuerLinkState.SigningOn => "signing_on",
        IssuerLinkState.Ready => "ready",
        IssuerLinkState.Suspended => "suspended",
        _ => "unknown",
    };

    private IEnumerable<Measurement<int>> ObserveReversalDepth()
    {
        IReadOnlyDictionary<string, int> depth = _engine.Reversals.DepthByIssuer();
        foreach (IssuerLink link in _engine.Issuers.All)
            yield return new Measurement<int>(depth.GetValueOrDefault(link.Id), Tag("issuer", link.Id));
        foreach (KeyValuePair<string, int> other in depth)
        {
            // Owed to an issuer no longer configured (found in the journal): still money owed, still shown.
            if (_engine.Issuers.Find(other.Key) is null) yield return new Measurement<int>(other.Value, Tag("issuer", other.Key));
        }
    }

    private IEnumerable<Measurement<int>> ObserveAcquirerConnections()
    {
        foreach (AcquirerListener listener in _listeners())
            yield return new Measurement<int>(listener.ConnectionCount, Tag("acquirer", listener.Name));
    }

    /// <summary>The journal's counters, or null when the engine runs without a journal.</summary>
    public JournalStats? ReadJournalStats() => _engine.Journal is TransactionJournal journal ? journal.Journal.GetStats() : null;

    private IEnumerable<Measurement<T>> JournalObservation<T>(Func<JournalStats, T> read) where T : struct
    {
        if (ReadJournalStats() is JournalStats stats) yield return new Measurement<T>(read(stats));
    }

    private static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);
}
