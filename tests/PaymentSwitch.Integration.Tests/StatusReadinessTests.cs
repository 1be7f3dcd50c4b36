using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using PaymentSwitch.Integration.Tests.Support;
using PaymentSwitch.Iso8583;
using PaymentSwitch.Simulators;
using static PaymentSwitch.Integration.Tests.Support.Requests;

namespace PaymentSwitch.Integration.Tests;

/// <summary>/health/ready, /status and /metrics follow the issuer link: down when its only issuer goes away, up when it returns.</summary>
public class StatusReadinessTests
{
    [Fact]
    public async Task Readiness_turns_false_when_the_only_routed_issuer_goes_down_and_true_when_it_returns()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync(routesJson: """[ { "Prefix": "476173", "Issuer": "card-sim" } ]""");
        await using StatusTestHost status = await StatusTestHost.StartAsync(sw);
        Assert.Equal("ready\n", await status.Http.GetStringAsync("/health/ready"));
        IPEndPoint cardEndPoint = sw.Card.EndPoint!;

        await sw.Card.DisposeAsync(); // the issuer host goes away: both connections drop, reconnects are refused
        string body = await WaitForReadinessAsync(status, HttpStatusCode.ServiceUnavailable);
        Assert.Contains("issuer 'card-sim' has no signed-on connection", body);
        JsonNode down = await StatusEndpointTests.GetStatusAsync(status);
        Assert.False((bool)down["ready"]!);
        Assert.Contains("issuer 'card-sim' has no signed-on connection", down["notReady"]!.AsArray().Select(n => (string?)n));
        Assert.Equal("down", (string?)down["issuers"]!.AsArray().Single(i => (string?)i!["id"] == "card-sim")!["state"]);
        StatusPrometheusText metrics = StatusPrometheusText.Parse(await status.Http.GetStringAsync("/metrics"));
        Assert.Equal(0, metrics.Value("paymentswitch_ready"));
        Assert.Equal(0, metrics.Value("paymentswitch_issuer_up", ("issuer", "card-sim")));
        Assert.Equal(0, metrics.Value("paymentswitch_issuer_connections", ("issuer", "card-sim"), ("state", "ready")));
        Assert.Equal("91", await AuthoriseAsync(sw, stan: 1));

        await using CardIssuerSimulator restarted = await StartCardSimulatorAsync(cardEndPoint);
        Assert.Equal("ready\n", await WaitForReadinessAsync(status, HttpStatusCode.OK));
        JsonNode up = await StatusEndpointTests.GetStatusAsync(status);
        Assert.True((bool)up["ready"]!);
        Assert.Empty(up["notReady"]!.AsArray());
        Assert.Equal("up", (string?)up["issuers"]!.AsArray().Single(i => (string?)i!["id"] == "card-sim")!["state"]);
        metrics = StatusPrometheusText.Parse(await status.Http.GetStringAsync("/metrics"));
        Assert.Equal(1, metrics.Value("paymentswitch_ready"));
        Assert.Equal(1, metrics.Value("paymentswitch_issuer_up", ("issuer", "card-sim")));
        Assert.Equal("00", await AuthoriseAsync(sw, stan: 2));
    }

    private static async Task<string> WaitForReadinessAsync(StatusTestHost status, HttpStatusCode wanted, int timeoutMs = 20_000)
    {
        DateTime deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            using HttpResponseMessage response = await status.Http.GetAsync("/health/ready");
            string body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == wanted) return body;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"/health/ready still {(int)response.StatusCode}: {body}");
            await Task.Delay(50);
        }
    }

    /// <summary>A new card issuer on the old address (the port may take a moment to be free again).</summary>
    private static async Task<CardIssuerSimulator> StartCardSimulatorAsync(IPEndPoint endPoint)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var simulator = new CardIssuerSimulator(new CardIssuerSimulatorOptions { ListenEndPoint = endPoint, Dialect = RunningSwitch.Ascii });
            try
            {
                await simulator.StartAsync();
                return simulator;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await simulator.DisposeAsync();
                await Task.Delay(200);
            }
        }
    }

    private static async Task<string> AuthoriseAsync(RunningSwitch sw, int stan)
    {
        await using TestTerminal terminal = await sw.ConnectAsync();
        Authorisation(terminal.Builder, CardPan, 1000, stan, terminal: "READY001");
        await terminal.SendAsync();
        IsoMessage reply = (await terminal.ReceiveAsync())!;
        return Text(reply, 39);
    }
}
