using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using PaymentSwitch.Host.Status;
using PaymentSwitch.Integration.Tests.Support;
using PaymentSwitch.Iso8583;
using static PaymentSwitch.Integration.Tests.Support.Requests;

namespace PaymentSwitch.Integration.Tests;

/// <summary>GET/PUT /routes and POST /issuers/{id}/suspend|resume: the token, the refusals, the log, and the swap under load.</summary>
public class StatusRouteAdministrationTests
{
    private const string Token = "test-admin-token-5f1c2a9e";
    private static readonly string[] WithToken = [$"--Status:AdminToken={Token}"];

    private const string SmallTable = """
        [ { "Prefix": "476173", "Issuer": "card-sim" }, { "Prefix": "627", "Issuer": "wallet-sim" } ]
        """;

    [Fact]
    public async Task Without_a_configured_token_every_change_is_refused_and_logged()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync();
        await using StatusTestHost status = await StatusTestHost.StartAsync(sw);
        long version = sw.Runtime.Router!.Current.Version;

        using HttpResponseMessage put = await status.Http.SendAsync(StatusTestHost.Request(HttpMethod.Put, "/routes", bearer: "anything", body: SmallTable));
        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        Assert.Contains("no admin token is configured", await put.Content.ReadAsStringAsync());
        using HttpResponseMessage suspend = await status.Http.SendAsync(StatusTestHost.Request(HttpMethod.Post, "/issuers/card-sim/suspend"));
        Assert.Equal(HttpStatusCode.Forbidden, suspend.StatusCode);

        Assert.Equal(version, sw.Runtime.Router.Current.Version);
        Assert.False(sw.Runtime.Engine!.Issuers.Find("card-sim")!.IsSuspended);
        Assert.Contains(sw.Logs.Lines, l => l.Contains("route and issuer changes are disabled", StringComparison.Ordinal));
        string refusedPut = sw.Logs.Lines.Single(l => l.Contains("refused", StringComparison.Ordinal) && l.Contains("PUT /routes", StringComparison.Ordinal));
        Assert.Contains("127.0.0.1:", refusedPut);
        Assert.Contains(AdminAuthorisation.Fingerprint("anything"), refusedPut);
        Assert.DoesNotContain("anything", refusedPut.Replace(AdminAuthorisation.Fingerprint("anything"), "", StringComparison.Ordinal));
        Assert.Contains(sw.Logs.Lines, l => l.Contains("refused", StringComparison.Ordinal) && l.Contains("suspend issuer 'card-sim'", StringComparison.Ordinal) && l.Contains("token none", StringComparison.Ordinal));

        // Reading needs no token.
        using HttpResponseMessage get = await status.Http.GetAsync("/routes");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
    }

    [Fact]
    public async Task A_missing_or_wrong_token_is_refused_and_no_token_is_ever_logged()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync(overrides: WithToken);
        await using StatusTestHost status = await StatusTestHost.StartAsync(sw);
        long version = sw.Runtime.Router!.Current.Version;

        using HttpResponseMessage missing = await status.Http.SendAsync(StatusTestHost.Request(HttpMethod.Put, "/routes", body: SmallTable));
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.Single().Scheme);
        using HttpResponseMessage wrong = await status.Http.SendAsync(StatusTestHost.Request(HttpMethod.Put, "/routes", bearer: "not-the-token", body: SmallTable));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        using HttpResponseMessage wrongSuspend = await status.Http.SendAsync(StatusTestHost.Request(HttpMethod.Post, "/issuers/card-sim/suspend", bearer: Token + "x"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongSuspend.StatusCode);
        Assert.Equal(version, sw.Runtime.Router.Current.Version);
        Assert.False(sw.Runtime.Engine!.Issuers.Find("card-sim")!.IsSuspended);

        using HttpResponseMessage right = await status.Http.SendAsync(StatusTestHost.Request(HttpMethod.Put, "/routes", bearer: Token, body: SmallTable));
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Equal(version + 1, sw.Runtime.Router.Current.Version);

        string fingerprint = AdminAuthorisation.Fingerprint(Token);
        string made = sw.Logs.Lines.Single(l => l.Contains("Operator change by", StringComparison.Ordinal));
        Assert.Contains(fingerprint, made);
        Assert.Contains("127.0.0.1:", made);
        Assert.Contains($"version {version} -> {version + 1}", made);
        Assert.Contains(sw.Logs.Lines, l => l.Contains("refused", StringComparison.Ordinal) && l.Contains(AdminAuthorisation.Fingerprint("not-the-token"), StringComparison.Ordinal));
        Assert.DoesNotContain(Token, sw.Logs.All);
        Assert.DoesNotContain("not-the-token", sw.Logs.All);
        Assert.Contains(fingerprint, sw.Runtime.Router.Current.Source);
        Assert.DoesNotContain(Token, sw.Runtime.Router.Current.Source);
    }

    [Fact]
    public async Task Routes_swapped_over_http_under_load_fail_no_transaction()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync(overrides: WithToken);
        await using StatusTestHost status = await StatusTestHost.StartAsync(sw);
        StatusLoad load = await StatusLoad.StartAsync(sw.Acquirer, [CardPan, WalletPan, CardPan, CardPan], terminals: 4, pipeline: 10);
        await load.WaitForAnswersAsync(200);

        long version = sw.Runtime.Router!.Current.Version;
        for (int swap = 0; swap < 6; swap++)
        {
            int extra = swap % 2 == 0 ? 50_000 : 5;
            long answeredBefore = load.Answered;
            using HttpResponseMessage put = await status.Http.SendAsync(StatusTestHost.Request(HttpMethod.Put, "/routes", bearer: Token, body: TableWith(extra)));
            string body = await put.Content.ReadAsStringAsync();
            Assert.True(put.StatusCode == HttpStatusCode.OK, body);
            JsonNode result = JsonNode.Parse(body)!;
            Assert.Equal(version + 1, (long)result["version"]!);
            Assert.Equal(version, (long)result["previousVersion"]!);
            Assert.Equal(extra + 2, (int)result["routes"]!);
            version++;

            using HttpResponseMessage get = await status.Http.GetAsync("/routes");
            Assert.Equal($"\"v{version}\"", get.Headers.ETag!.Tag);
            Assert.Equal(extra + 2, JsonNode.Parse(await get.Content.ReadAsStringAsync())!.AsArray().Count);
            await load.WaitForAnswersAsync(answeredBefore + 100); // traffic keeps flowing between swaps
        }
        await load.StopAsync();

        Assert.True(load.Answered > 800, $"only {load.Answered} answers");
        Assert.Equal(load.Answered, load.Count(CardPan, "00") + load.Count(WalletPan, "00")); // zero failed transactions
        Assert.Equal(load.Count(CardPan, "00"), sw.Card.Ledger.ApprovedCount);
        Assert.Equal(version, sw.Runtime.Router.Current.Version);
        Assert.Equal(6, sw.Logs.Lines.Count(l => l.Contains("Operator change by", StringComparison.Ordinal) && l.Contains("routes replaced", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_bad_table_is_refused_with_the_reason_and_the_old_one_stays_in_force()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync(overrides: WithToken);
        await using StatusTestHost status = await StatusTestHost.StartAsync(sw);
        long version = sw.Runtime.Router!.Current.Version;

        (HttpStatusCode code, JsonNode body) = await PutAsync(status, "[ { \"Prefix\": \"476173\", \"Issuer\": \"card-sim\" ");
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Contains("not complete, valid JSON", (string?)body["errors"]![0]);
        Assert.Contains($"version {version}", (string?)body["error"]);

        (code, body) = await PutAsync(status, """[ { "Prefix": "476173", "Issuer": "card-sim" }, { "Prefix": "9", "Issuer": "nobody" } ]""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Contains("routes[1]", (string?)body["errors"]![0]);
        Assert.Contains("nobody", (string?)body["errors"]![0]);

        (code, body) = await PutAsync(status, $$"""[ { "Prefix": "{{CardPan}}", "Issuer": "card-sim" }, { "Low": "5", "High": "4", "Issuer": "card-sim" } ]""");
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.StartsWith("routes[0]", (string?)body["errors"]![0]);
        Assert.DoesNotContain(CardPan, body.ToJsonString());

        (code, body) = await PutAsync(status, "[]");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Contains("allowEmpty", (string?)body["errors"]![0]);

        using (HttpRequestMessage stale = StatusTestHost.Request(HttpMethod.Put, "/routes", Token, SmallTable))
        {
            stale.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue($"\"v{version + 5}\""));
            using HttpResponseMessage response = await status.Http.SendAsync(stale);
            Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        }

        Assert.Equal(version, sw.Runtime.Router.Current.Version);
        Assert.Equal(3, sw.Runtime.Router.Current.RouteCount);
        Assert.DoesNotContain(CardPan, sw.Logs.All);
        Assert.Equal(5, sw.Logs.Lines.Count(l => l.Contains("Operator change refused", StringComparison.Ordinal)));

        // The old table still routes, and a conditional change on the right version goes through.
        Assert.Equal("00", await AuthoriseAsync(sw, CardPan, stan: 1));
        using (HttpRequestMessage current = StatusTestHost.Request(HttpMethod.Put, "/routes", Token, SmallTable))
        {
            current.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue($"\"v{version}\""));
            using HttpResponseMessage response = await status.Http.SendAsync(current);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Equal(2, sw.Runtime.Router.Current.RouteCount);
    }

    [Fact]
    public async Task Suspending_an_issuer_answers_91_until_it_is_resumed()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync(overrides: WithToken);
        await using StatusTestHost status = await StatusTestHost.StartAsync(sw);
        Assert.Equal("00", await AuthoriseAsync(sw, CardPan, stan: 1));

        using (HttpResponseMessage suspend = await status.Http.SendAsync(StatusTestHost.Request(HttpMethod.Post, "/issuers/card-sim/suspend", Token)))
        {
            JsonNode body = JsonNode.Parse(await suspend.Content.ReadAsStringAsync())!;
            Assert.Equal(HttpStatusCode.OK, suspend.StatusCode);
            Assert.True((bool)body["suspended"]!);
            Assert.True((bool)body["changed"]!);
        }
        Assert.Equal("91", await AuthoriseAsync(sw, CardPan, stan: 2));
        Assert.Equal("00", await AuthoriseAsync(sw, WalletPan, stan: 3));
        JsonNode state = await StatusEndpointTests.GetStatusAsync(status);
        Assert.Equal("suspended", (string?)state["issuers"]!.AsArray().Single(i => (string?)i!["id"] == "card-sim")!["state"]);
        Assert.Equal("ready\n", await status.Http.GetStringAsync("/health/ready")); // an operator's choice, not a fault

        using (HttpResponseMessage unknown = await status.Http.SendAsync(StatusTestHost.Request(HttpMethod.Post, "/issuers/nobody/suspend", Token)))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using (HttpResponseMessage resume = await status.Http.SendAsync(StatusTestHost.Request(HttpMethod.Post, "/issuers/card-sim/resume", Token)))
            Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
        Assert.Equal("00", await AuthoriseAsync(sw, CardPan, stan: 4));
        Assert.Contains(sw.Logs.Lines, l => l.Contains("Operator change by", StringComparison.Ordinal) && l.Contains("suspend issuer 'card-sim'", StringComparison.Ordinal));
        Assert.Contains(sw.Logs.Lines, l => l.Contains("Operator change by", StringComparison.Ordinal) && l.Contains("resume issuer 'card-sim'", StringComparison.Ordinal));
    }

    private static async Task<(HttpStatusCode, JsonNode)> PutAsync(StatusTestHost status, string table)
    {
        using HttpResponseMessage response = await status.Http.SendAsync(StatusTestHost.Request(HttpMethod.Put, "/routes", Token, table));
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    private static async Task<string> AuthoriseAsync(RunningSwitch sw, string pan, int stan)
    {
        await using TestTerminal terminal = await sw.ConnectAsync();
        Authorisation(terminal.Builder, pan, 1000, stan, terminal: "ADMIN001");
        await terminal.SendAsync();
        IsoMessage reply = (await terminal.ReceiveAsync())!;
        return Text(reply, 39);
    }

    [Fact]
    public async Task A_table_put_in_force_is_saved_to_the_routes_file_and_not_rebuilt_from_it_again()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync(overrides: WithToken);
        await using StatusTestHost status = await StatusTestHost.StartAsync(sw);
        long version = sw.Runtime.Router!.Current.Version;

        using HttpResponseMessage put = await status.Http.SendAsync(StatusTestHost.Request(HttpMethod.Put, "/routes", bearer: Token, body: TableWith(3)));
        string body = await put.Content.ReadAsStringAsync();
        Assert.True(put.StatusCode == HttpStatusCode.OK, body);
        JsonNode result = JsonNode.Parse(body)!;
        Assert.True((bool)result["saved"]!, body);
        Assert.Equal(Path.GetFullPath(sw.RoutesFile), (string?)result["savedTo"]);

        // What a restart would load: the file now holds exactly the table in force.
        var saved = PaymentSwitch.Core.Routing.BinRoutesJson.Parse(await File.ReadAllBytesAsync(sw.RoutesFile));
        Assert.True(saved.Succeeded);
        Assert.Equal(
            sw.Runtime.Router.Current.Routes.Select(r => (r.Kind, r.Low, r.High, r.IssuerId)),
            saved.Routes.Select(r => (r.Kind, r.Low, r.High, r.IssuerId)));
        Assert.Equal(5, saved.Routes.Count);
        Assert.Empty(Directory.GetFiles(sw.Directory, "*.saving"));

        // The watcher sees the file change; it must know the content and rebuild nothing (the version stays).
        await Task.Delay(1500);
        Assert.Equal(version + 1, sw.Runtime.Router.Current.Version);
        Assert.Contains(sw.Logs.Lines, l => l.Contains("routes replaced", StringComparison.Ordinal) && l.Contains("saved to", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_saving_off_the_routes_file_is_left_as_it_was()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync(overrides: [.. WithToken, "--Routes:SaveChanges=false"]);
        await using StatusTestHost status = await StatusTestHost.StartAsync(sw);
        byte[] before = await File.ReadAllBytesAsync(sw.RoutesFile);

        using HttpResponseMessage put = await status.Http.SendAsync(StatusTestHost.Request(HttpMethod.Put, "/routes", bearer: Token, body: TableWith(3)));
        string body = await put.Content.ReadAsStringAsync();
        Assert.True(put.StatusCode == HttpStatusCode.OK, body);
        Assert.False((bool)JsonNode.Parse(body)!["saved"]!, body);
        Assert.Equal(before, await File.ReadAllBytesAsync(sw.RoutesFile));
        Assert.Equal(5, sw.Runtime.Router!.Current.RouteCount); // in force all the same
    }

    private static string TableWith(int extraRanges)
    {
        var json = new StringBuilder("[\n  { \"Prefix\": \"476173\", \"Issuer\": \"card-sim\" },\n  { \"Prefix\": \"627\", \"Issuer\": \"wallet-sim\" }");
        for (int i = 0; i < extraRanges; i++)
            json.Append(",\n  { \"Low\": \"").Append((10_000_000_00L + i * 10L).ToString("D11")).Append("\", \"High\": \"")
                .Append((10_000_000_00L + i * 10L + 9).ToString("D11")).Append("\", \"Issuer\": \"wallet-sim\" }");
        return json.Append("\n]\n").ToString();
    }
}
