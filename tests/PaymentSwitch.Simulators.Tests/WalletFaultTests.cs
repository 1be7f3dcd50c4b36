using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PaymentSwitch.Simulators.Tests.Support;

namespace PaymentSwitch.Simulators.Tests;

public sealed class WalletFaultTests
{
    [Fact]
    public async Task Silent_books_and_never_answers_until_the_client_gives_up()
    {
        await using WalletIssuerSimulator simulator = await SimulatorFactory.StartWalletAsync(o => o.Fault = FaultMode.Silent);
        using HttpClient http = simulator.HttpClient(timeoutMs: 500);
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<TaskCanceledException>(() => http.PostAsync("v1/authorisations", WalletBodies.Json(WalletBodies.Authorisation("s1", 70))));
        Assert.True(clock.ElapsedMilliseconds >= 450);
        Assert.Equal((1, 70, 1), (simulator.Ledger.ApprovedCount, simulator.Ledger.ApprovedAmountMinor, simulator.Ledger.FaultedAnswerCount));

        // The switch's retry with the same key, once the issuer is back, gets the booked answer and books nothing more.
        simulator.SetFault(FaultMode.None);
        using HttpClient again = simulator.HttpClient();
        JsonElement answer = await (await again.PostAsync("v1/authorisations", WalletBodies.Json(WalletBodies.Authorisation("s1", 70)))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("approved", answer.GetProperty("status").GetString());
        Assert.Equal(1, simulator.Ledger.ApprovedCount);
    }

    [Fact]
    public async Task Late_answers_after_the_delay()
    {
        await using WalletIssuerSimulator simulator = await SimulatorFactory.StartWalletAsync(o => o.Fault = FaultMode.Late(300));
        using HttpClient http = simulator.HttpClient();
        var clock = Stopwatch.StartNew();
        using HttpResponseMessage response = await http.PostAsync("v1/authorisations", WalletBodies.Json(WalletBodies.Authorisation("l1")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(clock.ElapsedMilliseconds >= 300, $"Answered after {clock.ElapsedMilliseconds} ms.");
    }

    [Fact]
    public async Task Latency_holds_every_answer()
    {
        await using WalletIssuerSimulator simulator = await SimulatorFactory.StartWalletAsync(o => o.LatencyMs = 120);
        using HttpClient http = simulator.HttpClient();
        var clock = Stopwatch.StartNew();
        using HttpResponseMessage response = await http.PostAsync("v1/reversals", WalletBodies.Json(WalletBodies.Reversal("r", "o")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(clock.ElapsedMilliseconds >= 120, $"Answered after {clock.ElapsedMilliseconds} ms.");
    }

    [Fact]
    public async Task Drop_aborts_the_connection_after_booking()
    {
        await using WalletIssuerSimulator simulator = await SimulatorFactory.StartWalletAsync(o => o.Fault = FaultMode.Drop());
        using HttpClient http = simulator.HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => http.PostAsync("v1/authorisations", WalletBodies.Json(WalletBodies.Authorisation("d1", 5))));
        Assert.Equal(1, simulator.Ledger.ApprovedCount);
    }

    [Fact]
    public async Task Garbage_answers_200_with_a_body_that_is_not_JSON()
    {
        await using WalletIssuerSimulator simulator = await SimulatorFactory.StartWalletAsync(o => o.Fault = FaultMode.Garbage);
        using HttpClient http = simulator.HttpClient();
        using HttpResponseMessage response = await http.PostAsync("v1/authorisations", WalletBodies.Json(WalletBodies.Authorisation("g1")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string body = await response.Content.ReadAsStringAsync();
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(body));
        Assert.Equal(1, simulator.Ledger.ApprovedCount);
    }

    [Fact]
    public async Task Error_answers_503_and_books_nothing()
    {
        await using WalletIssuerSimulator simulator = await SimulatorFactory.StartWalletAsync(o => o.Fault = FaultMode.Error);
        using HttpClient http = simulator.HttpClient();
        using HttpResponseMessage response = await http.PostAsync("v1/authorisations", WalletBodies.Json(WalletBodies.Authorisation("e1")));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(0, simulator.Ledger.ApprovedCount);
    }

    [Fact]
    public async Task Faults_change_at_run_time_through_POST_fault_and_the_ledger_is_reset()
    {
        await using WalletIssuerSimulator simulator = await SimulatorFactory.StartWalletAsync();
        using HttpClient http = simulator.HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("fault?mode=error", null)).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.PostAsync("v1/authorisations", WalletBodies.Json(WalletBodies.Authorisation("x1")))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("fault?mode=late:-1", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("fault?mode=none", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("v1/authorisations", WalletBodies.Json(WalletBodies.Authorisation("x1")))).StatusCode);
        Assert.Equal(1, simulator.Ledger.ApprovedCount);

        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("reset", null)).StatusCode);
        Assert.Equal(0, simulator.Ledger.ApprovedCount);
        // The key was forgotten: the same request books again.
        await http.PostAsync("v1/authorisations", WalletBodies.Json(WalletBodies.Authorisation("x1")));
        Assert.Equal(1, simulator.Ledger.ApprovedCount);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync("network-management?answer=false", null)).StatusCode);
    }

    [Fact]
    public async Task The_ledger_file_is_written_on_stop()
    {
        string path = Path.Combine(Path.GetTempPath(), "ps-wallet-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            WalletIssuerSimulator simulator = await SimulatorFactory.StartWalletAsync(o => o.LedgerFilePath = path);
            using (HttpClient http = simulator.HttpClient())
                await http.PostAsync("v1/authorisations", WalletBodies.Json(WalletBodies.Authorisation("f1", 321)));
            await simulator.DisposeAsync();
            string json = await File.ReadAllTextAsync(path);
            Assert.Equal(321, JsonDocument.Parse(json).RootElement.GetProperty("netApprovedAmountMinor").GetInt64());
            Assert.DoesNotContain(Requests.Pan, json);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task The_idempotency_memory_is_bounded()
    {
        await using WalletIssuerSimulator simulator = await SimulatorFactory.StartWalletAsync(o => o.IdempotencyMaxEntries = 16);
        using HttpClient http = simulator.HttpClient();
        for (int i = 0; i < 200; i++) await http.PostAsync("v1/authorisations", WalletBodies.Json(WalletBodies.Authorisation("b" + i, 1)));
        IssuerLedgerSnapshot ledger = simulator.Ledger;
        Assert.Equal(200, ledger.ApprovedCount);
        Assert.True(ledger.IndexEntries <= 16, $"{ledger.IndexEntries} keys remembered.");
        Assert.Equal(200 - ledger.IndexEntries, ledger.IndexEvictions);
    }
}
