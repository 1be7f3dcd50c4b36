using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PaymentSwitch.Iso8583;
using PaymentSwitch.Simulators.Tests.Support;

namespace PaymentSwitch.Simulators.Tests;

public sealed class CardLedgerTests
{
    private const long Limit = 5000;
    private const string DeclinedSuffix = "0005";

    /// <summary>What the test expects the issuer to have booked, computed from the rules independently.</summary>
    private sealed class Expected
    {
        public long Approved, ApprovedAmount, Declined, Reversed, ReversedAmount, Advices, AdviceAmount, DuplicateReversals, UnknownReversals;
    }

    private static string PanFor(int i) => i % 13 == 0 ? "476173900101" + DeclinedSuffix : "4761739001" + (i % 1_000_000).ToString("D6", CultureInfo.InvariantCulture)[..6];

    [Fact]
    public async Task Ledger_sums_are_exact_after_a_burst_of_mixed_traffic_on_concurrent_connections()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync(o =>
            o.Rules = new IssuerRules { DeclineAboveAmountMinor = Limit, DeclinePanSuffix = DeclinedSuffix });
        const int connections = 4;
        const int perConnection = 600;
        var expected = new Expected[connections];
        var approvedByConnection = new List<(int Stan, long Amount)>[connections];

        // Phase 1: every connection pipelines its own mix; a reversal always follows its original on the same connection.
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async c =>
        {
            string acquirer = (1000 + c).ToString(CultureInfo.InvariantCulture);
            var e = expected[c] = new Expected();
            var approved = approvedByConnection[c] = [];
            var requests = new List<IsoMessageBuilder>();
            int stan = 0;
            for (int i = 1; i <= perConnection; i++)
            {
                long amount = (i * 37 % 7000) + 1;
                string pan = PanFor(i);
                if (i % 11 == 0)
                {
                    requests.Add(Requests.Advice(++stan, amount, acquirer: acquirer));
                    e.Advices++;
                    e.AdviceAmount += amount;
                    continue;
                }
                int original = ++stan;
                requests.Add(Requests.Authorisation(original, amount, pan: pan, acquirer: acquirer));
                bool approve = amount <= Limit && !pan.EndsWith(DeclinedSuffix, StringComparison.Ordinal);
                if (approve)
                {
                    e.Approved++;
                    e.ApprovedAmount += amount;
                }
                else
                {
                    e.Declined++;
                }
                if (i % 5 == 0)
                {
                    requests.Add(Requests.Reversal(++stan, amount, original, originalAcquirer: acquirer, acquirer: acquirer));
                    if (approve)
                    {
                        e.Reversed++;
                        e.ReversedAmount += amount;
                        if (i % 10 == 0)
                        {
                            requests.Add(Requests.Reversal(stan, amount, original, originalAcquirer: acquirer, acquirer: acquirer, mti: Mti.ReversalAdviceRepeat));
                            e.DuplicateReversals++;
                        }
                    }
                    else
                    {
                        e.UnknownReversals++;
                    }
                }
                else if (approve)
                {
                    approved.Add((original, amount));
                }
            }

            await using IsoTestClient client = await simulator.ConnectAsync();
            foreach (IsoMessageBuilder[] chunk in requests.Chunk(100)) await client.SendManyAsync(chunk);
            for (int i = 0; i < requests.Count; i++) Assert.NotNull(await client.ReceiveAsync(10_000));
        }));

        // Phase 2: other connections reverse a third of each connection's remaining approvals, concurrently.
        long crossReversed = 0, crossReversedAmount = 0;
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async c =>
        {
            int owner = (c + 1) % connections;
            string ownerAcquirer = (1000 + owner).ToString(CultureInfo.InvariantCulture);
            (int Stan, long Amount)[] targets = approvedByConnection[owner].Where((_, i) => i % 3 == 0).ToArray();
            Interlocked.Add(ref crossReversed, targets.Length);
            Interlocked.Add(ref crossReversedAmount, targets.Sum(t => t.Amount));
            await using IsoTestClient client = await simulator.ConnectAsync();
            await client.SendManyAsync(targets.Select((t, i) => Requests.Reversal(900_000 + i, t.Amount, t.Stan, originalAcquirer: ownerAcquirer, acquirer: "999")));
            for (int i = 0; i < targets.Length; i++)
            {
                IsoMessage answer = await client.ReceiveMessageAsync(TestDialects.Ascii, 10_000);
                Assert.Equal("00", answer.Text(39));
            }
        }));

        IssuerLedgerSnapshot ledger = simulator.Ledger;
        Assert.Equal(expected.Sum(e => e.Approved), ledger.ApprovedCount);
        Assert.Equal(expected.Sum(e => e.ApprovedAmount), ledger.ApprovedAmountMinor);
        Assert.Equal(expected.Sum(e => e.Declined), ledger.DeclinedCount);
        Assert.Equal(expected.Sum(e => e.Advices), ledger.AdviceCount);
        Assert.Equal(expected.Sum(e => e.AdviceAmount), ledger.AdviceAmountMinor);
        Assert.Equal(expected.Sum(e => e.Reversed) + crossReversed, ledger.ReversedCount);
        Assert.Equal(expected.Sum(e => e.ReversedAmount) + crossReversedAmount, ledger.ReversedAmountMinor);
        Assert.Equal(expected.Sum(e => e.DuplicateReversals), ledger.DuplicateReversalCount);
        Assert.Equal(expected.Sum(e => e.UnknownReversals), ledger.UnknownReversalCount);
        Assert.Equal(ledger.ApprovedAmountMinor + ledger.AdviceAmountMinor - ledger.ReversedAmountMinor, ledger.NetApprovedAmountMinor);
        Assert.True(ledger.ApprovedCount > 1000 && ledger.DeclinedCount > 500 && ledger.ReversedCount > 300, "The mix exercises every kind.");
    }

    [Fact]
    public async Task The_admin_endpoint_serves_the_ledger_and_resets_it()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync(o => o.AdminEndPoint = new IPEndPoint(IPAddress.Loopback, 0));
        await using IsoTestClient client = await simulator.ConnectAsync();
        await client.SendManyAsync([Requests.Authorisation(1, 700), Requests.Advice(2, 50), Requests.Reversal(3, 700, 1)]);
        for (int i = 0; i < 3; i++) await client.ReceiveMessageAsync(TestDialects.Ascii);

        using var http = new HttpClient { BaseAddress = new Uri($"http://{simulator.AdminEndPoint}/") };
        JsonElement ledger = await http.GetFromJsonAsync<JsonElement>("ledger");
        Assert.Equal(1, ledger.GetProperty("approvedCount").GetInt64());
        Assert.Equal(700, ledger.GetProperty("approvedAmountMinor").GetInt64());
        Assert.Equal(1, ledger.GetProperty("adviceCount").GetInt64());
        Assert.Equal(50, ledger.GetProperty("adviceAmountMinor").GetInt64());
        Assert.Equal(700, ledger.GetProperty("reversedAmountMinor").GetInt64());
        Assert.Equal(50, ledger.GetProperty("netApprovedAmountMinor").GetInt64());

        JsonElement reset = await (await http.PostAsync("reset", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, reset.GetProperty("approvedCount").GetInt64());
        Assert.Equal(0, reset.GetProperty("indexEntries").GetInt64());
        Assert.Equal(0, simulator.Ledger.NetApprovedAmountMinor);

        // The reset forgot the advice: its reversal now finds nothing.
        await client.SendAsync(Requests.Reversal(4, 50, 2, originalMti: Mti.AuthorisationAdvice));
        Assert.Equal("25", (await client.ReceiveMessageAsync(TestDialects.Ascii)).Text(39));
    }

    [Fact]
    public async Task The_ledger_file_is_written_on_request_and_on_stop_without_card_numbers()
    {
        string directory = Path.Combine(Path.GetTempPath(), "ps-sim-" + Guid.NewGuid().ToString("N"));
        string path = Path.Combine(directory, "card-ledger.json");
        try
        {
            CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync(o =>
            {
                o.LedgerFilePath = path;
                o.AdminEndPoint = new IPEndPoint(IPAddress.Loopback, 0);
            });
            await using (IsoTestClient client = await simulator.ConnectAsync())
            {
                await client.SendAsync(Requests.Authorisation(1, 1200));
                await client.ReceiveMessageAsync(TestDialects.Ascii);
            }
            using (var http = new HttpClient { BaseAddress = new Uri($"http://{simulator.AdminEndPoint}/") })
            {
                HttpResponseMessage saved = await http.PostAsync("ledger/save", null);
                Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
            }
            Assert.Equal(1200, JsonDocument.Parse(await File.ReadAllTextAsync(path)).RootElement.GetProperty("approvedAmountMinor").GetInt64());

            await using (IsoTestClient client = await simulator.ConnectAsync())
            {
                await client.SendAsync(Requests.Authorisation(2, 300));
                await client.ReceiveMessageAsync(TestDialects.Ascii);
            }
            await simulator.DisposeAsync();

            string json = await File.ReadAllTextAsync(path);
            JsonElement ledger = JsonDocument.Parse(json).RootElement;
            Assert.Equal(2, ledger.GetProperty("approvedCount").GetInt64());
            Assert.Equal(1500, ledger.GetProperty("netApprovedAmountMinor").GetInt64());
            Assert.DoesNotContain(Requests.Pan, json);
            Assert.False(File.Exists(path + ".tmp"));
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
}
