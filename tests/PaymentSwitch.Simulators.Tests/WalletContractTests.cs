using System.Net;
using System.Text.Json;
using PaymentSwitch.Simulators.Tests.Support;

namespace PaymentSwitch.Simulators.Tests;

public sealed class WalletContractTests
{
    private static async Task<(HttpStatusCode Status, JsonElement Body, string Text)> PostAsync(HttpClient http, string path, string body, string? header = "")
    {
        string? key = header == "" ? JsonDocument.Parse(body).RootElement.GetProperty("idempotencyKey").GetString() : header;
        using HttpResponseMessage response = await http.SendAsync(WalletBodies.Post(path, body, key));
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone(), text);
    }

    private static string[] Names(JsonElement body) => body.EnumerateObject().Select(p => p.Name).ToArray();

    [Fact]
    public async Task An_approval_answers_exactly_status_responseCode_approvalCode_reason()
    {
        await using WalletIssuerSimulator simulator = await SimulatorFactory.StartWalletAsync();
        using HttpClient http = simulator.HttpClient();
        using HttpResponseMessage response = await http.SendAsync(WalletBodies.Post("v1/authorisations", WalletBodies.Authorisation("00000012345-TERM0001-123456-1122103000"), "00000012345-TERM0001-123456-1122103000"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        JsonElement body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["status", "responseCode", "approvalCode", "reason"], Names(body));
        Assert.Equal("approved", body.GetProperty("status").GetString());
        Assert.Equal("00", body.GetProperty("responseCode").GetString());
        Assert.Matches("^[0-9A-Z]{6}$", body.GetProperty("approvalCode").GetString());
        Assert.Equal("approved", body.GetProperty("reason").GetString());
        Assert.Equal((1, 1000), (simulator.Ledger.ApprovedCount, simulator.Ledger.ApprovedAmountMinor));
    }

    [Theory]
    [InlineData(5001, Requests.Pan, "9912", "51", "insufficient funds")]
    [InlineData(10, "4761739001010005", "9912", "05", "do not honour")]
    [InlineData(10, Requests.Pan, "0001", "54", "expired card")]
    [InlineData(10, "12345678901", "9912", "14", "invalid card number")]
    [InlineData(10, "476173900101001A", "9912", "14", "invalid card number")]
    public async Task A_decline_answers_status_responseCode_reason_and_no_approval_code(long amount, string account, string expiry, string code, string reason)
    {
        await using WalletIssuerSimulator simulator = await SimulatorFactory.StartWalletAsync(o => o.Rules = new IssuerRules { DeclineAboveAmountMinor = 5000, DeclinePanSuffix = "0005" });
        using HttpClient http = simulator.HttpClient();
        (HttpStatusCode status, JsonElement body, _) = await PostAsync(http, "v1/authorisations", WalletBodies.Authorisation("k", amount, account, expiry: expiry));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["status", "responseCode", "reason"], Names(body));
        Assert.Equal(("declined", code, reason), (body.GetProperty("status").GetString(), body.GetProperty("responseCode").GetString(), body.GetProperty("reason").GetString()));
        Assert.Equal((0, 1, amount), (simulator.Ledger.ApprovedCount, simulator.Ledger.DeclinedCount, simulator.Ledger.DeclinedAmountMinor));
    }

    [Fact]
    public async Task Optional_fields_may_be_left_out_and_financial_requests_book_as_approvals()
    {
        await using WalletIssuerSimulator simulator = await SimulatorFactory.StartWalletAsync();
        using HttpClient http = simulator.HttpClient();
        string body = "{\"idempotencyKey\":\"f1\",\"messageType\":\"financial\",\"account\":\"4761739001010010\",\"amountMinor\":77,\"currency\":\"978\","
                      + "\"processingCode\":\"000000\",\"terminalId\":\"TERM0001\",\"acquirerId\":\"12345\",\"rrn\":\"632612345678\",\"stan\":\"000001\",\"transmissionDateTime\":\"1122103000\"}";
        (HttpStatusCode status, JsonElement answer, _) = await PostAsync(http, "v1/authorisations", body);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("approved", answer.GetProperty("status").GetString());
        Assert.Equal((1, 77), (simulator.Ledger.ApprovedCount, simulator.Ledger.ApprovedAmountMinor));
    }

    [Fact]
    public async Task A_repeated_idempotency_key_gets_the_original_answer_and_books_nothing()
    {
        await using WalletIssuerSimulator simulator = await SimulatorFactory.StartWalletAsync();
        using HttpClient http = simulator.HttpClient();
        (_, _, string first) = await PostAsync(http, "v1/authorisations", WalletBodies.Authorisation("same", 250));
        (_, _, string repeat) = await PostAsync(http, "v1/authorisations", WalletBodies.Authorisation("same", 250));
        Assert.Equal(first, repeat);
        (_, _, string other) = await PostAsync(http, "v1/authorisations", WalletBodies.Authorisation("other", 250));
        Assert.NotEqual(first, other);

        IssuerLedgerSnapshot ledger = simulator.Ledger;
        Assert.Equal((2, 500, 1), (ledger.ApprovedCount, ledger.ApprovedAmountMinor, ledger.DuplicateRequestCount));
    }

    [Fact]
    public async Task An_advice_is_booked_with_its_stand_in_approval_code()
    {
        await using WalletIssuerSimulator simulator = await SimulatorFactory.StartWalletAsync(o => o.Rules = new IssuerRules { DeclineAboveAmountMinor = 1 });
        using HttpClient http = simulator.HttpClient();
        (HttpStatusCode status, JsonElement body, _) = await PostAsync(http, "v1/authorisations", WalletBodies.Authorisation("adv", 900, messageType: "advice", approvalCode: "S12345"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(("approved", "00", "S12345"), (body.GetProperty("status").GetString(), body.GetProperty("responseCode").GetString(), body.GetProperty("approvalCode").GetString()));
        Assert.Equal((1, 900, 0, 900L), (simulator.Ledger.AdviceCount, simulator.Ledger.AdviceAmountMinor, simulator.Ledger.ApprovedCount, simulator.Ledger.NetApprovedAmountMinor));

        (HttpStatusCode missing, JsonElement error, _) = await PostAsync(http, "v1/authorisations", WalletBodies.Authorisation("adv2", 900, messageType: "advice"));
        Assert.Equal(HttpStatusCode.BadRequest, missing);
        Assert.Contains("approvalCode", error.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_reversal_reverses_once_and_repeats_book_nothing()
    {
        await using WalletIssuerSimulator simulator = await SimulatorFactory.StartWalletAsync();
        using HttpClient http = simulator.HttpClient();
        await PostAsync(http, "v1/authorisations", WalletBodies.Authorisation("auth-1", 640));

        (HttpStatusCode status, JsonElement reversed, string text) = await PostAsync(http, "v1/reversals", WalletBodies.Reversal("rev-1", "auth-1", 640));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["status", "responseCode"], Names(reversed));
        Assert.Equal(("reversed", "00"), (reversed.GetProperty("status").GetString(), reversed.GetProperty("responseCode").GetString()));

        (_, _, string repeat) = await PostAsync(http, "v1/reversals", WalletBodies.Reversal("rev-1", "auth-1", 640));
        Assert.Equal(text, repeat);
        (_, JsonElement again, _) = await PostAsync(http, "v1/reversals", WalletBodies.Reversal("rev-2", "auth-1", 640, reason: "acquirer"));
        Assert.Equal(("already_reversed", "00"), (again.GetProperty("status").GetString(), again.GetProperty("responseCode").GetString()));

        IssuerLedgerSnapshot ledger = simulator.Ledger;
        Assert.Equal((1, 640, 0L, 2), (ledger.ReversedCount, ledger.ReversedAmountMinor, ledger.NetApprovedAmountMinor, ledger.DuplicateReversalCount));
    }

    [Fact]
    public async Task A_reversal_before_its_original_answers_not_found_and_the_original_is_declined()
    {
        await using WalletIssuerSimulator simulator = await SimulatorFactory.StartWalletAsync();
        using HttpClient http = simulator.HttpClient();
        (_, JsonElement notFound, _) = await PostAsync(http, "v1/reversals", WalletBodies.Reversal("rev-x", "auth-x", 300, reason: "late-approval"));
        Assert.Equal(("not_found", "25"), (notFound.GetProperty("status").GetString(), notFound.GetProperty("responseCode").GetString()));

        (_, JsonElement late, string lateText) = await PostAsync(http, "v1/authorisations", WalletBodies.Authorisation("auth-x", 300));
        Assert.Equal(("declined", "05", "reversed before arrival"), (late.GetProperty("status").GetString(), late.GetProperty("responseCode").GetString(), late.GetProperty("reason").GetString()));
        Assert.False(late.TryGetProperty("approvalCode", out _));
        (_, _, string repeat) = await PostAsync(http, "v1/authorisations", WalletBodies.Authorisation("auth-x", 300));
        Assert.Equal(lateText, repeat);

        IssuerLedgerSnapshot ledger = simulator.Ledger;
        Assert.Equal((0, 1, 1, 0L), (ledger.ApprovedCount, ledger.DeclinedAfterReversalCount, ledger.UnknownReversalCount, ledger.NetApprovedAmountMinor));
    }

    [Fact]
    public async Task Reversing_a_declined_authorisation_answers_not_found()
    {
        await using WalletIssuerSimulator simulator = await SimulatorFactory.StartWalletAsync(o => o.Rules = new IssuerRules { DeclineAboveAmountMinor = 1 });
        using HttpClient http = simulator.HttpClient();
        await PostAsync(http, "v1/authorisations", WalletBodies.Authorisation("d1", 5));
        (_, JsonElement answer, _) = await PostAsync(http, "v1/reversals", WalletBodies.Reversal("rd1", "d1", 5));
        Assert.Equal("not_found", answer.GetProperty("status").GetString());
        Assert.Equal(0, simulator.Ledger.ReversedCount);
    }

    [Fact]
    public async Task The_ledger_has_the_contract_fields_with_exact_sums()
    {
        await using WalletIssuerSimulator simulator = await SimulatorFactory.StartWalletAsync(o => o.Rules = new IssuerRules { DeclineAboveAmountMinor = 1000 });
        using HttpClient http = simulator.HttpClient();
        await PostAsync(http, "v1/authorisations", WalletBodies.Authorisation("a1", 100));
        await PostAsync(http, "v1/authorisations", WalletBodies.Authorisation("a2", 200));
        await PostAsync(http, "v1/authorisations", WalletBodies.Authorisation("a3", 5000));
        await PostAsync(http, "v1/authorisations", WalletBodies.Authorisation("a4", 40, messageType: "advice", approvalCode: "S1"));
        await PostAsync(http, "v1/reversals", WalletBodies.Reversal("r1", "a2", 200));

        using HttpResponseMessage response = await http.GetAsync("v1/ledger");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonElement ledger = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        string[] contract = ["approvedCount", "approvedAmountMinor", "declinedCount", "reversedCount", "reversedAmountMinor", "adviceCount", "adviceAmountMinor", "netApprovedAmountMinor"];
        Assert.Equal(contract, Names(ledger).Take(contract.Length));
        long[] values = contract.Select(name => ledger.GetProperty(name).GetInt64()).ToArray();
        Assert.Equal([2, 300, 1, 1, 200, 1, 40, 140], values);
    }

    [Fact]
    public async Task Concurrent_clients_leave_exact_sums()
    {
        await using WalletIssuerSimulator simulator = await SimulatorFactory.StartWalletAsync(o => o.Rules = new IssuerRules { DeclineAboveAmountMinor = 500 });
        long expectedApproved = 0, expectedAmount = 0, expectedReversed = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, 8), async (worker, _) =>
        {
            using HttpClient http = simulator.HttpClient();
            for (int i = 0; i < 60; i++)
            {
                long amount = ((worker * 60) + i) % 700;
                string key = $"w{worker}-{i}";
                await PostAsync(http, "v1/authorisations", WalletBodies.Authorisation(key, amount));
                if (amount <= 500)
                {
                    Interlocked.Increment(ref expectedApproved);
                    Interlocked.Add(ref expectedAmount, amount);
                    if (i % 4 == 0)
                    {
                        await PostAsync(http, "v1/reversals", WalletBodies.Reversal("rev-" + key, key, amount));
                        Interlocked.Add(ref expectedReversed, amount);
                    }
                }
            }
        });
        IssuerLedgerSnapshot ledger = simulator.Ledger;
        Assert.Equal(expectedApproved, ledger.ApprovedCount);
        Assert.Equal(expectedAmount, ledger.ApprovedAmountMinor);
        Assert.Equal(480 - expectedApproved, ledger.DeclinedCount);
        Assert.Equal(expectedReversed, ledger.ReversedAmountMinor);
        Assert.Equal(expectedAmount - expectedReversed, ledger.NetApprovedAmountMinor);
    }
}
