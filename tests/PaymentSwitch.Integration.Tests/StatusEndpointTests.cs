using System.Net;
using System.Text.Json.Nodes;
using PaymentSwitch.Host.Status;
using PaymentSwitch.Integration.Tests.Support;
using static PaymentSwitch.Integration.Tests.Support.Requests;

namespace PaymentSwitch.Integration.Tests;

/// <summary>GET /status, /metrics, /health/* and / under load, over real HTTP in front of a real switch.</summary>
public class StatusEndpointTests
{
    private static readonly string[] Mix = [CardPan, CardPan, WalletPan, UnknownBinPan];

    [Fact]
    public async Task Status_reports_the_traffic_under_load_and_agrees_with_what_the_terminals_saw()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync();
        await using StatusTestHost status = await StatusTestHost.StartAsync(sw);
        StatusLoad load = await StatusLoad.StartAsync(sw.Acquirer, Mix, terminals: 4, pipeline: 8);
        await load.WaitForAnswersAsync(400);
        await Task.Delay(1500); // at least one sample of the metrics with traffic in it

        JsonNode first = await GetStatusAsync(status);
        await Task.Delay(1200);
        string secondText = await status.Http.GetStringAsync("/status");
        JsonNode second = JsonNode.Parse(secondText)!;

        Assert.False(string.IsNullOrWhiteSpace((string?)second["version"]));
        Assert.True((double)second["uptimeSeconds"]! > (double)first["uptimeSeconds"]!);
        Assert.True((bool)second["ready"]!);
        JsonNode listener = second["listeners"]![0]!;
        Assert.Equal("pos", (string?)listener["name"]);
        Assert.Equal(sw.Acquirer.ToString(), (string?)listener["endpoint"]);
        Assert.Equal(4, (int)listener["connections"]!);

        JsonNode throughput = second["throughput"]!;
        Assert.True((double)throughput["lastSecond"]! > 0, secondText);
        Assert.True((long)throughput["lastMinute"]! >= 400, secondText);
        long[] perSecond = [.. throughput["answersPerSecond"]!.AsArray().Select(n => (long)n!)];
        Assert.InRange(perSecond.Length, 2, 300);
        Assert.Equal((long)throughput["lastMinute"]!, perSecond.TakeLast(60).Sum());
        Assert.Equal(perSecond.Length, throughput["p99MsPerSecond"]!.AsArray().Count);

        AssertPercentilesOrdered(second["latency"]!["lastMinute"]!, expectAnswers: true);
        AssertPercentilesOrdered(second["latency"]!["sinceStart"]!, expectAnswers: true);
        foreach (string issuer in (string[])["card-sim", "wallet-sim", "switch"])
            AssertPercentilesOrdered(second["latency"]!["byIssuer"]![issuer]!["lastMinute"]!, expectAnswers: true);

        Assert.True((int)second["inFlight"]!["total"]! >= 0);
        Assert.NotNull(second["inFlight"]!["byIssuer"]!["card-sim"]);
        Assert.True((long)second["answersByResponseCode"]!["00"]! > 0);
        Assert.True((long)second["answersByResponseCode"]!["15"]! > 0); // the unknown BIN, answered by the switch

        JsonNode card = second["issuers"]!.AsArray().Single(i => (string?)i!["id"] == "card-sim")!;
        Assert.Equal("card", (string?)card["kind"]);
        Assert.Equal("up", (string?)card["state"]);
        Assert.Equal(2, (int)card["readyConnections"]!);
        Assert.All(card["connections"]!.AsArray(), c => Assert.Equal("ready", (string?)c!["state"]));
        Assert.True((long)card["answersByResponseCode"]!["00"]! > 0);
        Assert.Equal(0, (int)second["reversals"]!["owed"]!);

        JsonNode journal = second["journal"]!;
        Assert.True((bool)journal["enabled"]!);
        Assert.True((bool)journal["healthy"]!);
        Assert.Equal("strict", (string?)journal["durability"]);
        Assert.True((bool)journal["directWrites"]!, "a strict journal under the temp directory writes with O_DIRECT | O_DSYNC");
        Assert.Equal(0, (long)journal["appendsWaited"]!); // this light load never fills the 1 MiB pending buffer
        Assert.True((int)journal["segments"]! >= 1);
        Assert.True((long)journal["fsyncs"]! > 0);
        Assert.True((double)journal["recordsPerFsync"]! >= 1);
        Assert.True((double)journal["fsyncLatencyMeanUs"]! > 0);
        // The fdatasync histogram: fed by the journal's writer, harvested by the sampler (so it may lag the count).
        JsonNode fsyncSinceStart = journal["fsyncLatency"]!["sinceStart"]!;
        AssertPercentilesOrdered(fsyncSinceStart, expectAnswers: true);
        AssertPercentilesOrdered(journal["fsyncLatency"]!["lastMinute"]!, expectAnswers: true);
        Assert.True((long)fsyncSinceStart["count"]! <= (long)journal["fsyncs"]!, journal.ToJsonString());
        Assert.True((double)fsyncSinceStart["maxMs"]! * 1000 <= (double)journal["fsyncLatencyMaxUs"]! + 1, journal.ToJsonString());
        Assert.True((long)journal["recordsAppended"]! > (long)first["journal"]!["recordsAppended"]!);

        JsonNode routes = second["routes"]!;
        Assert.Equal(3, (int)routes["count"]!);
        Assert.Equal(sw.Runtime.Router!.Current.Version, (long)routes["version"]!);
        Assert.NotNull((string?)routes["loadedAtUtc"]);

        await load.StopAsync();
        await Task.Delay(1200);
        JsonNode after = await GetStatusAsync(status);
        // Every answer a terminal read is counted once, under its code and its issuer.
        Assert.Equal(load.Answered, (long)after["requests"]!["answered"]!);
        foreach ((string code, long n) in load.ByCode()) Assert.Equal(n, (long)after["answersByResponseCode"]![code]!);
        JsonNode cardAfter = after["issuers"]!.AsArray().Single(i => (string?)i!["id"] == "card-sim")!;
        Assert.Equal(load.Count(CardPan, "00"), (long)cardAfter["answersByResponseCode"]!["00"]!);
        Assert.Equal(load.Answered, (long)after["latency"]!["sinceStart"]!["count"]!);
        Assert.Equal(0, (int)after["inFlight"]!["total"]!);

        AssertNoCardNumber(secondText);
    }

    [Fact]
    public async Task Metrics_is_valid_exposition_format_under_load_and_counts_every_answer()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync();
        await using StatusTestHost status = await StatusTestHost.StartAsync(sw);
        StatusLoad load = await StatusLoad.StartAsync(sw.Acquirer, Mix, terminals: 4, pipeline: 8);
        await load.WaitForAnswersAsync(300);
        await Task.Delay(1200);

        for (int scrape = 0; scrape < 3; scrape++) // scrapes while answers are being counted
        {
            using HttpResponseMessage response = await status.Http.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
            string text = await response.Content.ReadAsStringAsync();
            StatusPrometheusText metrics = StatusPrometheusText.Parse(text);
            AssertNoCardNumber(text);

            Assert.Equal("counter", metrics["paymentswitch_authorisations_total"].Type);
            Assert.True(metrics["paymentswitch_authorisations_total"].Where("paymentswitch_authorisations_total", ("issuer", "card-sim"), ("response_code", "00")).Single().Value > 0);
            Assert.True(metrics["paymentswitch_authorisations_total"].Where("paymentswitch_authorisations_total", ("issuer", "switch"), ("response_code", "15")).Single().Value > 0);
            Assert.Equal("histogram", metrics["paymentswitch_authorisation_duration_seconds"].Type);
            Assert.True(metrics.Value("paymentswitch_authorisation_duration_seconds_count", ("issuer", "card-sim")) > 0);
            Assert.Equal("gauge", metrics["paymentswitch_authorisation_duration_window_seconds"].Type);
            Assert.True(metrics.Value("paymentswitch_authorisation_duration_window_seconds", ("quantile", "0.99")) > 0);
            Assert.Equal("gauge", metrics["paymentswitch_in_flight"].Type);
            Assert.Equal(0, metrics.Value("paymentswitch_reversal_queue_depth", ("issuer", "card-sim")));
            Assert.Equal(1, metrics.Value("paymentswitch_issuer_up", ("issuer", "card-sim")));
            Assert.Equal(2, metrics.Value("paymentswitch_issuer_connections", ("issuer", "card-sim"), ("state", "ready")));
            Assert.Equal(4, metrics.Value("paymentswitch_acquirer_connections", ("acquirer", "pos")));
            Assert.True(metrics.Value("paymentswitch_journal_fsyncs_total") > 0);
            Assert.True(metrics.Value("paymentswitch_journal_fsync_duration_mean_seconds") > 0);
            Assert.Equal(3, metrics.Value("paymentswitch_routes"));
            Assert.Equal(1, metrics.Value("paymentswitch_ready"));
            Assert.True(metrics.Value("paymentswitch_throughput_per_second") >= 0);
            await Task.Delay(300);
        }

        await load.StopAsync();
        await Task.Delay(1200);
        StatusPrometheusText final = StatusPrometheusText.Parse(await status.Http.GetStringAsync("/metrics"));
        Assert.Equal(load.Answered, final["paymentswitch_authorisations_total"].Samples.Sum(s => (long)s.Value));
        Assert.Equal(load.Answered, final["paymentswitch_authorisation_duration_seconds"].Samples.Where(s => s.Name.EndsWith("_count", StringComparison.Ordinal)).Sum(s => (long)s.Value));
        Assert.Equal(load.Count(WalletPan, "00"), final.Value("paymentswitch_authorisations_total", ("issuer", "wallet-sim"), ("response_code", "00")));
        Assert.Equal(load.Answered, final.Value("paymentswitch_requests_received_total"));
        Assert.Equal(0, final.Value("paymentswitch_in_flight"));
    }

    [Fact]
    public async Task Health_endpoints_and_the_dashboard_page_are_served()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync();
        await using StatusTestHost status = await StatusTestHost.StartAsync(sw);

        Assert.Equal("live\n", await status.Http.GetStringAsync("/health/live"));
        Assert.Equal("ready\n", await status.Http.GetStringAsync("/health/ready"));

        using HttpResponseMessage page = await status.Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html; charset=utf-8", page.Content.Headers.ContentType!.ToString());
        string csp = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'none'", csp);
        Assert.Contains("connect-src 'self'", csp);
        byte[] html = await page.Content.ReadAsByteArrayAsync();
        Assert.Equal(DashboardPage.Content, html);
        string text = System.Text.Encoding.UTF8.GetString(html);
        Assert.Contains("fetch(\"/status\"", text);
        foreach (string metric in (string[])["tps-last-second", "throughput-chart", "response-codes", "latency-table", "issuers", "journal-health"])
            Assert.Contains($"data-metric=\"{metric}\"", text);
        // Self-contained: nothing loaded from another host (the SVG namespace is a name, not a fetch).
        Assert.DoesNotMatch(@"(?i)(src|href)\s*=\s*[""']?\s*(https?:)?//", text);
        Assert.DoesNotMatch(@"(?i)@import|url\(\s*[""']?(https?:)?//", text);
        Assert.DoesNotMatch(@"https?://(?!www\.w3\.org/2000/svg)", text);

        using HttpResponseMessage wrongVerb = await status.Http.PostAsync("/status", null);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongVerb.StatusCode);
    }

    internal static async Task<JsonNode> GetStatusAsync(StatusTestHost status)
    {
        using HttpResponseMessage response = await status.Http.GetAsync("/status");
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        AssertNoCardNumber(body);
        return JsonNode.Parse(body)!;
    }

    private static void AssertPercentilesOrdered(JsonNode summary, bool expectAnswers)
    {
        long count = (long)summary["count"]!;
        if (expectAnswers) Assert.True(count > 0, summary.ToJsonString());
        double p50 = (double)summary["p50Ms"]!, p90 = (double)summary["p90Ms"]!, p99 = (double)summary["p99Ms"]!,
            p999 = (double)summary["p999Ms"]!, max = (double)summary["maxMs"]!, mean = (double)summary["meanMs"]!;
        // p50 may be 0: answers the switch gives itself (unknown BIN) take under a microsecond, and they can be most of the mix.
        Assert.True(p50 >= 0 && p50 <= p90 && p90 <= p99 && p99 <= p999 && p999 <= max && max > 0, summary.ToJsonString());
        // The mean is written to the microsecond (3 decimals of ms): a mix that is mostly the switch's own sub-microsecond
        // answers can round it to 0, so only the upper bound is exact.
        Assert.True(mean >= 0 && mean <= max, summary.ToJsonString());
    }

    internal static void AssertNoCardNumber(string text)
    {
        foreach (string pan in (string[])[CardPan, WalletPan, UnknownBinPan])
            Assert.DoesNotContain(pan, text, StringComparison.Ordinal);
    }
}
