using System.Net;
using System.Net.Http.Json;
using PaymentSwitch.Iso8583;
using PaymentSwitch.Simulators.Tests.Support;

namespace PaymentSwitch.Simulators.Tests;

public sealed class NoCardNumberInLogsTests
{
    [Fact]
    public async Task The_card_issuer_logs_card_numbers_only_masked()
    {
        var log = new CapturingLogger();
        await using (CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync(o =>
        {
            o.Rules = new IssuerRules { DeclineAboveAmountMinor = 100 };
            o.AdminEndPoint = new IPEndPoint(IPAddress.Loopback, 0);
        }, log))
        {
            await using IsoTestClient client = await simulator.ConnectAsync();
            await client.SendManyAsync([
                Requests.Authorisation(1, 50), Requests.Authorisation(2, 500), Requests.Advice(3, 10),
                Requests.Reversal(4, 50, 1), Requests.Reversal(5, 1, 77), Requests.Authorisation(6, 1, mti: 300),
            ]);
            for (int i = 0; i < 6; i++) await client.ReceiveMessageAsync(TestDialects.Ascii);

            // A malformed message that still carries the card number.
            byte[] message = new byte[512];
            int length = Requests.Authorisation(7, 1).WriteMessage(message);
            byte[] frame = new byte[length - 3 + 2];
            frame[0] = (byte)((length - 3) >> 8);
            frame[1] = (byte)(length - 3);
            message.AsSpan(0, length - 3).CopyTo(frame.AsSpan(2));
            await client.SendRawAsync(frame);
            await client.ReceiveMessageAsync(TestDialects.Ascii);

            simulator.SetFault(FaultMode.Drop());
            await client.SendAsync(Requests.Authorisation(8, 1));
            Assert.Null(await client.ReceiveAsync());
            using var http = new HttpClient { BaseAddress = new Uri($"http://{simulator.AdminEndPoint}/") };
            await http.GetFromJsonAsync<System.Text.Json.JsonElement>("ledger");
        }

        string all = log.All;
        Assert.Contains(Requests.MaskedPan, all);
        Assert.Contains("malformed message", all);
        Assert.DoesNotContain(Requests.Pan, all);
        Assert.DoesNotContain(Requests.Pan[6..], all);
    }

    [Fact]
    public async Task The_wallet_issuer_never_logs_the_account()
    {
        var log = new CapturingLogger();
        await using (WalletIssuerSimulator simulator = await SimulatorFactory.StartWalletAsync(null, log))
        {
            using HttpClient http = simulator.HttpClient();
            await http.PostAsync("v1/authorisations", WalletBodies.Json(WalletBodies.Authorisation("k1")));
            await http.PostAsync("v1/authorisations", WalletBodies.Json(WalletBodies.Authorisation("k2", extra: ", \"pan\": \"" + Requests.Pan + "\"")));
            await http.PostAsync("v1/authorisations", new StringContent("{\"account\": \"" + Requests.Pan + "\", \"amountMinor\": \"12\"}", System.Text.Encoding.UTF8, "application/json"));
            await http.PostAsync("v1/authorisations", new StringContent("{\"account\": " + Requests.Pan + "x}", System.Text.Encoding.UTF8, "application/json"));
            await http.PostAsync("v1/reversals", WalletBodies.Json(WalletBodies.Reversal("r1", "k1")));
        }
        string all = log.All;
        Assert.Contains("refused with 400", all);
        Assert.Contains("k1", all);
        Assert.DoesNotContain(Requests.Pan, all);
        Assert.DoesNotContain(Requests.Pan[6..], all);
    }
}
