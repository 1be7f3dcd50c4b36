using System.Net;
using System.Text;
using System.Text.Json;
using PaymentSwitch.Simulators.Tests.Support;

namespace PaymentSwitch.Simulators.Tests;

public sealed class WalletErrorTests
{
    private static async Task<string> ExpectBadRequestAsync(HttpClient http, string path, string body, string? header = null)
    {
        using HttpResponseMessage response = await http.SendAsync(WalletBodies.Post(path, body, header));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        JsonElement error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["error"], error.EnumerateObject().Select(p => p.Name));
        string message = error.GetProperty("error").GetString()!;
        Assert.DoesNotContain(Requests.Pan, message);
        return message;
    }

    public static TheoryData<string, string> MalformedAuthorisations => new()
    {
        { "{not json", "not valid JSON" },
        { "", "not valid JSON" },
        { "null", "JSON object" },
        { "[1,2]", "not valid JSON" },
        { WalletBodies.Authorisation("k").Replace("\"amountMinor\": 1000", "\"amountMinor\": \"1000\"", StringComparison.Ordinal), "$.amountMinor" },
        { WalletBodies.Authorisation("k").Replace("\"amountMinor\": 1000", "\"amountMinor\": 10.5", StringComparison.Ordinal), "$.amountMinor" },
        { WalletBodies.Authorisation("k", extra: ", \"pan\": \"" + Requests.Pan + "\""), "unknown" },
        { WalletBodies.Authorisation("k", extra: ", \"stan\": \"000002\""), "repeated" },
        { WalletBodies.Authorisation("k").Replace("\"amountMinor\": 1000, ", "", StringComparison.Ordinal), "'amountMinor' is required" },
        { WalletBodies.Authorisation("k").Replace("\"stan\": \"123456\"", "\"stan\": \"12\"", StringComparison.Ordinal), "'stan' must be 6 digits" },
        { WalletBodies.Authorisation("k", amountMinor: -5), "must not be negative" },
        { WalletBodies.Authorisation("k", messageType: "refund"), "'messageType'" },
        { WalletBodies.Authorisation("k", expiry: "12/25"), "'expiry'" },
        { WalletBodies.Authorisation("k").Replace("\"currency\": \"978\"", "\"currency\": \"EUR\"", StringComparison.Ordinal), "'currency'" },
        { WalletBodies.Authorisation("").Replace("\"idempotencyKey\": \"\", ", "", StringComparison.Ordinal), "'idempotencyKey' is required" },
        { WalletBodies.Authorisation("k").Replace("\"transmissionDateTime\": \"1122103000\"", "\"transmissionDateTime\": \"soon\"", StringComparison.Ordinal), "'transmissionDateTime'" },
    };

    [Theory]
    [MemberData(nameof(MalformedAuthorisations))]
    public async Task A_malformed_authorisation_is_refused_with_400_and_a_reason(string body, string reason)
    {
        await using WalletIssuerSimulator simulator = await SimulatorFactory.StartWalletAsync();
        using HttpClient http = simulator.HttpClient();
        string message = await ExpectBadRequestAsync(http, "v1/authorisations", body);
        Assert.Contains(reason, message);
        Assert.Equal(0, simulator.Ledger.ApprovedCount + simulator.Ledger.DeclinedCount);
        Assert.Equal(1, simulator.Ledger.InvalidRequestCount);
    }

    [Fact]
    public async Task An_idempotency_header_that_differs_from_the_body_is_refused()
    {
        await using WalletIssuerSimulator simulator = await SimulatorFactory.StartWalletAsync();
        using HttpClient http = simulator.HttpClient();
        Assert.Contains("Idempotency-Key", await ExpectBadRequestAsync(http, "v1/authorisations", WalletBodies.Authorisation("k1"), header: "k2"));
        Assert.Contains("Idempotency-Key", await ExpectBadRequestAsync(http, "v1/reversals", WalletBodies.Reversal("r1", "k1"), header: "r2"));
        Assert.Equal(0, simulator.Ledger.ApprovedCount);
    }

    [Theory]
    [InlineData("{\"originalIdempotencyKey\": \"a\", \"amountMinor\": 1, \"currency\": \"978\"}", "'idempotencyKey' is required")]
    [InlineData("{\"idempotencyKey\": \"r\", \"amountMinor\": 1, \"currency\": \"978\"}", "'originalIdempotencyKey' is required")]
    [InlineData("{\"idempotencyKey\": \"r\", \"originalIdempotencyKey\": \"a\", \"currency\": \"978\"}", "'amountMinor' is required")]
    [InlineData("{\"idempotencyKey\": \"r\", \"originalIdempotencyKey\": \"a\", \"amountMinor\": 1, \"currency\": \"978\", \"reason\": \"because\"}", "'reason'")]
    [InlineData("{\"idempotencyKey\": \"r\", \"originalIdempotencyKey\": \"a\", \"amountMinor\": 1}", "'currency' is required")]
    public async Task A_malformed_reversal_is_refused_with_400(string body, string reason)
    {
        await using WalletIssuerSimulator simulator = await SimulatorFactory.StartWalletAsync();
        using HttpClient http = simulator.HttpClient();
        Assert.Contains(reason, await ExpectBadRequestAsync(http, "v1/reversals", body));
        Assert.Equal(0, simulator.Ledger.UnknownReversalCount);
    }

    [Fact]
    public async Task Unknown_paths_and_wrong_methods_are_404_and_405()
    {
        await using WalletIssuerSimulator simulator = await SimulatorFactory.StartWalletAsync();
        using HttpClient http = simulator.HttpClient();
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync("v1/refunds", WalletBodies.Json("{}"))).StatusCode);
        using HttpResponseMessage get = await http.GetAsync("v1/authorisations");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        Assert.Equal("POST", string.Join(",", get.Content.Headers.Allow));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await http.PostAsync("v1/ledger", null)).StatusCode);
    }

    [Fact]
    public async Task A_body_larger_than_the_limit_is_refused()
    {
        await using WalletIssuerSimulator simulator = await SimulatorFactory.StartWalletAsync();
        using HttpClient http = simulator.HttpClient();
        string huge = WalletBodies.Authorisation(new string('k', 100_000));
        using HttpResponseMessage response = await http.PostAsync("v1/authorisations", new StringContent(huge, Encoding.UTF8, "application/json"));
        Assert.True((int)response.StatusCode is 400 or 413, $"Got {(int)response.StatusCode}.");
        Assert.Equal(0, simulator.Ledger.ApprovedCount);
    }
}
