using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using PaymentSwitch.Simulators.Internal;
using PaymentSwitch.Simulators.Tests.Support;

namespace PaymentSwitch.Simulators.Tests;

public sealed partial class CommandLineTests
{
    [Fact]
    public void A_full_card_command_line_maps_to_the_options()
    {
        SimulatorCommand command = SimulatorCommandLine.Parse([
            "card", "--listen", "127.0.0.1:7001", "--dialect", "iso87-bcd", "--framing=len4-ascii", "--tpdu", "--admin", "localhost:7101",
            "--latency-ms", "5", "--jitter-ms", "3", "--decline-above", "100000", "--decline-pan-suffix", "0005", "--fault", "late:200",
            "--ledger-file", "/tmp/l.json", "--no-network-management", "--approval-index-max", "5000", "--log-level", "debug",
        ]);
        Assert.Equal(SimulatorKind.Card, command.Kind);
        CardIssuerSimulatorOptions card = command.Card!;
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 7001), card.ListenEndPoint);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 7101), card.AdminEndPoint);
        Assert.Equal(("iso87-bcd", "len4-ascii", true), (card.DialectName, card.FramingName, card.Tpdu));
        Assert.Equal((5, 3), (card.LatencyMs, card.LatencyJitterMs));
        Assert.Equal(100000, card.Rules.DeclineAboveAmountMinor);
        Assert.Equal("0005", card.Rules.DeclinePanSuffix);
        Assert.Equal(FaultMode.Late(200), card.Fault);
        Assert.Equal("/tmp/l.json", card.LedgerFilePath);
        Assert.False(card.AnswerNetworkManagement);
        Assert.Equal(5000, card.ApprovalIndexMaxEntries);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Debug, command.LogLevel);
    }

    [Fact]
    public void Defaults_apply_when_options_are_left_out()
    {
        SimulatorCommand wallet = SimulatorCommandLine.Parse(["wallet"]);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 7002), wallet.Wallet!.ListenEndPoint);
        Assert.Equal(FaultMode.None, wallet.Wallet.Fault);
        Assert.Null(wallet.Wallet.Rules.DeclineAboveAmountMinor);
        SimulatorCommand card = SimulatorCommandLine.Parse(["card", "--listen", "[::1]:0"]);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 0), card.Card!.ListenEndPoint);
        Assert.Equal("len2", card.Card.FramingName);
    }

    [Theory]
    [InlineData("", "say which simulator")]
    [InlineData("bank", "not a simulator")]
    [InlineData("card --listen", "--listen needs a value")]
    [InlineData("card --listen 127.0.0.1", "not HOST:PORT")]
    [InlineData("card --listen 127.0.0.1:70000", "not a port")]
    [InlineData("card --listen example.com:7001", "not an IP address")]
    [InlineData("card --speed 3", "unknown option '--speed'")]
    [InlineData("card stray", "unexpected argument 'stray'")]
    [InlineData("card --latency-ms -1", "--latency-ms: '-1' is not a whole number from 0")]
    [InlineData("card --latency-ms --tpdu", "--latency-ms needs a value")]
    [InlineData("card --latency-ms ten", "--latency-ms: 'ten'")]
    [InlineData("card --decline-above 1.5", "--decline-above: '1.5'")]
    [InlineData("card --decline-pan-suffix 12ab", "--decline-pan-suffix: '12ab'")]
    [InlineData("card --fault sometimes", "--fault: 'sometimes' is not a fault mode")]
    [InlineData("card --fault late:0", "late:MS needs a delay")]
    [InlineData("card --framing len3", "--framing: 'len3'")]
    [InlineData("card --log-level loud", "--log-level: 'loud'")]
    [InlineData("card --tpdu=yes", "--tpdu is a switch")]
    [InlineData("card --fault none --fault silent", "--fault is given twice")]
    [InlineData("card --idempotency-max 10", "option of the wallet simulator")]
    [InlineData("wallet --admin 127.0.0.1:1", "option of the card simulator")]
    [InlineData("wallet --tpdu", "option of the card simulator")]
    [InlineData("card --framing len4-ascii --max-frame-bytes 20000", "at most 9999")]
    public void Bad_arguments_are_refused_with_a_clear_message(string commandLine, string message)
    {
        string[] args = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        CommandLineException error = Assert.Throws<CommandLineException>(() => SimulatorCommandLine.Parse(args));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public async Task The_executable_exits_with_code_2_on_bad_arguments()
    {
        using SimulatorProcess process = SimulatorProcess.Start("card", "--listen", "127.0.0.1:7001", "--fault", "sometimes");
        Assert.Equal(2, await process.WaitForExitAsync());
        Assert.Contains("error: --fault: 'sometimes' is not a fault mode", process.Stderr);
        Assert.Contains("--help", process.Stderr);
    }

    [Fact]
    public async Task The_executable_exits_with_code_2_when_the_dialect_does_not_exist()
    {
        using SimulatorProcess process = SimulatorProcess.Start("card", "--listen", "127.0.0.1:0", "--dialect", "iso93-nothing");
        Assert.Equal(2, await process.WaitForExitAsync());
        Assert.Contains("iso93-nothing", process.Stderr);
    }

    [Fact]
    public async Task The_executable_prints_usage_for_help()
    {
        using SimulatorProcess process = SimulatorProcess.Start("--help");
        Assert.Equal(0, await process.WaitForExitAsync());
        Assert.Contains("PaymentSwitch.Simulators card", process.Stdout);
    }

    [GeneratedRegex(@"listening on (\S+) \(")]
    private static partial Regex CardListening();

    [GeneratedRegex(@"Admin endpoint listening on http://(\S+) ")]
    private static partial Regex AdminListening();

    [GeneratedRegex(@"Wallet issuer simulator listening on http://(\S+);")]
    private static partial Regex WalletListening();

    [Fact]
    public async Task The_card_simulator_runs_as_a_process_and_stops_cleanly_on_SIGTERM_writing_its_ledger()
    {
        string ledgerFile = Path.Combine(Path.GetTempPath(), "ps-card-cli-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            using SimulatorProcess process = SimulatorProcess.Start("card", "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0",
                "--decline-above", "5000", "--ledger-file", ledgerFile, "--log-level", "trace");
            IPEndPoint endPoint = IPEndPoint.Parse(await process.WaitForLineAsync(CardListening()));
            IPEndPoint admin = IPEndPoint.Parse(await process.WaitForLineAsync(AdminListening()));

            await using (IsoTestClient client = await IsoTestClient.ConnectAsync(endPoint))
            {
                await client.SendManyAsync([Requests.Authorisation(1, 4000), Requests.Authorisation(2, 6000)]);
                Assert.Equal("00", (await client.ReceiveMessageAsync(TestDialects.Ascii)).Text(39));
                Assert.Equal("51", (await client.ReceiveMessageAsync(TestDialects.Ascii)).Text(39));
            }
            using (var http = new HttpClient { BaseAddress = new Uri($"http://{admin}/") })
            {
                string ledger = await http.GetStringAsync("ledger");
                Assert.Equal(4000, JsonDocument.Parse(ledger).RootElement.GetProperty("approvedAmountMinor").GetInt64());
            }

            process.Terminate();
            Assert.Equal(0, await process.WaitForExitAsync());
            JsonElement written = JsonDocument.Parse(await File.ReadAllTextAsync(ledgerFile)).RootElement;
            Assert.Equal((1, 4000, 1), (written.GetProperty("approvedCount").GetInt64(), written.GetProperty("approvedAmountMinor").GetInt64(), written.GetProperty("declinedCount").GetInt64()));
            Assert.Contains(Requests.MaskedPan, process.Stdout);
            Assert.DoesNotContain(Requests.Pan, process.Stdout + process.Stderr);
        }
        finally
        {
            File.Delete(ledgerFile);
        }
    }

    [Fact]
    public async Task The_wallet_simulator_runs_as_a_process_and_stops_cleanly_on_SIGTERM()
    {
        using SimulatorProcess process = SimulatorProcess.Start("wallet", "--listen", "127.0.0.1:0", "--decline-pan-suffix", "0010", "--log-level", "trace");
        IPEndPoint endPoint = IPEndPoint.Parse(await process.WaitForLineAsync(WalletListening()));
        using (var http = new HttpClient { BaseAddress = new Uri($"http://{endPoint}/") })
        {
            using HttpResponseMessage response = await http.PostAsync("v1/authorisations", WalletBodies.Json(WalletBodies.Authorisation("cli-1")));
            JsonElement body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("05", body.GetProperty("responseCode").GetString());
        }
        process.Terminate();
        Assert.Equal(0, await process.WaitForExitAsync());
        Assert.Contains("stopped", process.Stdout);
        Assert.DoesNotContain(Requests.Pan, process.Stdout + process.Stderr);
    }

    [Fact]
    public async Task The_executable_exits_with_code_1_when_the_port_is_taken()
    {
        await using CardIssuerSimulator busy = await SimulatorFactory.StartCardAsync();
        using SimulatorProcess process = SimulatorProcess.Start("card", "--listen", busy.EndPoint!.ToString());
        Assert.Equal(1, await process.WaitForExitAsync());
        Assert.Contains("Could not start", process.Stdout + process.Stderr);
    }
}
