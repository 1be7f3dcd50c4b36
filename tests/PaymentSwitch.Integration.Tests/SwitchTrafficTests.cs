using System.Text;
using PaymentSwitch.Core.Issuers;
using PaymentSwitch.Integration.Tests.Support;
using PaymentSwitch.Iso8583;
using PaymentSwitch.Simulators;
using static PaymentSwitch.Integration.Tests.Support.Requests;

namespace PaymentSwitch.Integration.Tests;

/// <summary>Many requests at once over real sockets: pipelining, many connections, failing issuers, reloads, garbage.</summary>
public class SwitchTrafficTests
{
    [Fact]
    public async Task Pipelined_acquirer_gets_every_answer_matched_to_its_request_when_the_issuer_answers_out_of_order()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync(card: o => { o.LatencyMs = 1; o.LatencyJitterMs = 25; });
        await using TestTerminal host = await sw.ConnectAsync();
        const int count = 500;
        for (int stan = 1; stan <= count; stan++)
        {
            Authorisation(host.Builder, CardPan, amount: 1000 + stan, stan, terminal: $"T{stan % 7:D7}");
            await host.SendAsync();
        }
        var order = new List<int>();
        for (int i = 0; i < count; i++)
        {
            IsoMessage reply = (await host.ReceiveAsync())!;
            Assert.True(reply.TryGetInt64(11, out long stan));
            Assert.Equal("00", Text(reply, 39));
            Assert.True(reply.TryGetInt64(4, out long amount));
            Assert.Equal(1000 + stan, amount);                         // the answer belongs to that request
            Assert.Equal($"T{stan % 7:D7}", Text(reply, 41));
            order.Add((int)stan);
        }
        Assert.Equal(Enumerable.Range(1, count), order.Order());         // every request answered exactly once
        Assert.NotEqual(Enumerable.Range(1, count), order);              // and not in the order sent
        Assert.Equal(count, sw.Card.Ledger.ApprovedCount);
    }

    [Fact]
    public async Task A_thousand_terminals_at_once_each_get_their_own_answer()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync();
        var terminals = new TestTerminal[1000];
        for (int i = 0; i < terminals.Length; i++) terminals[i] = await sw.ConnectAsync();
        try
        {
            await Task.WhenAll(terminals.Select(async (t, i) =>
            {
                Authorisation(t.Builder, CardPan, amount: 100 + i, stan: i + 1, terminal: $"T{i:D7}");
                await t.SendAsync();
                IsoMessage reply = (await t.ReceiveAsync(30_000))!;
                Assert.Equal("00", Text(reply, 39));
                Assert.Equal($"T{i:D7}", Text(reply, 41));
                Assert.Equal((i + 1).ToString("D6"), Text(reply, 11));
            }));
            Assert.Equal(1000, sw.Runtime.Listeners[0].ConnectionCount);
        }
        finally
        {
            foreach (TestTerminal t in terminals) await t.DisposeAsync();
        }
        Assert.Equal(1000, sw.Card.Ledger.ApprovedCount);
    }

    [Fact]
    public async Task Silent_issuer_times_out_with_91_in_about_its_timeout()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync(overrides: ["--Issuers:0:TimeoutMs=300"]);
        sw.Card.SetFault(FaultMode.Silent);
        await using TestTerminal terminal = await sw.ConnectAsync();
        var started = DateTime.UtcNow;
        Authorisation(terminal.Builder, CardPan, 1000, stan: 1);
        await terminal.SendAsync();
        IsoMessage reply = (await terminal.ReceiveAsync())!;
        TimeSpan elapsed = DateTime.UtcNow - started;
        Assert.Equal("91", Text(reply, 39));
        Assert.InRange(elapsed.TotalMilliseconds, 290, 5000);
        Assert.Equal(1, sw.Runtime.Engine!.Counters.TimedOutTotal);
    }

    [Fact]
    public async Task Issuer_dropping_its_connection_is_reconnected_and_signed_on_again()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync(overrides: ["--Issuers:0:TimeoutMs=500", "--Issuers:0:Connections=1"]);
        await using TestTerminal terminal = await sw.ConnectAsync();
        sw.Card.SetFault(FaultMode.Drop());
        Authorisation(terminal.Builder, CardPan, 1000, stan: 1);
        await terminal.SendAsync();
        Assert.Equal("91", Text((await terminal.ReceiveAsync())!, 39)); // the issuer closed with the request in flight

        sw.Card.SetFault(FaultMode.None);
        await sw.WaitUntilReadyAsync();
        IssuerLink link = sw.Runtime.Engine!.Issuers.Find("card-sim")!;
        Assert.Contains(link.GetConnections(), c => c.State == IssuerLinkState.Ready);
        Authorisation(terminal.Builder, CardPan, 1000, stan: 2);
        await terminal.SendAsync();
        Assert.Equal("00", Text((await terminal.ReceiveAsync())!, 39));
        Assert.Contains(sw.Logs.Lines, l => l.Contains("connection to", StringComparison.Ordinal) && l.Contains("lost", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Route_reloads_during_traffic_fail_no_transaction()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync();
        long firstVersion = sw.Runtime.Router!.Current.Version;
        var terminals = new TestTerminal[4];
        for (int i = 0; i < terminals.Length; i++) terminals[i] = await sw.ConnectAsync();
        using var stop = new CancellationTokenSource();
        int answered = 0;

        Task traffic = Task.WhenAll(terminals.Select(async (t, n) =>
        {
            int stan = 0;
            while (!stop.IsCancellationRequested)
            {
                for (int k = 0; k < 20; k++)
                {
                    Authorisation(t.Builder, CardPan, 1000, ++stan % 999_999 + 1, terminal: $"T{n:D7}");
                    await t.SendAsync();
                }
                for (int k = 0; k < 20; k++)
                {
                    IsoMessage reply = (await t.ReceiveAsync())!;
                    Assert.Equal("00", Text(reply, 39));
                    Interlocked.Increment(ref answered);
                }
            }
        }));

        for (int reload = 0; reload < 4; reload++)
        {
            await Task.Delay(300);
            File.WriteAllText(sw.RoutesFile, RoutesWith(extraRanges: reload % 2 == 0 ? 200_000 : 10));
            long before = sw.Runtime.Router.Current.Version;
            DateTime deadline = DateTime.UtcNow.AddSeconds(20);
            while (sw.Runtime.Router.Current.Version == before && DateTime.UtcNow < deadline) await Task.Delay(20);
        }
        stop.Cancel();
        await traffic;
        foreach (TestTerminal t in terminals) await t.DisposeAsync();

        Assert.True(sw.Runtime.Router.Current.Version >= firstVersion + 4, $"routes reloaded only to version {sw.Runtime.Router.Current.Version}");
        Assert.True(answered > 200, $"only {answered} answers during the reloads");
        Assert.Equal(sw.Card.Ledger.ApprovedCount, answered);
    }

    private static string RoutesWith(int extraRanges)
    {
        var json = new StringBuilder("[\n  { \"Prefix\": \"476173\", \"Issuer\": \"card-sim\" },\n  { \"Prefix\": \"627\", \"Issuer\": \"wallet-sim\" }");
        for (int i = 0; i < extraRanges; i++)
            json.Append(",\n  { \"Low\": \"").Append((10_000_000_00L + i * 10L).ToString("D11")).Append("\", \"High\": \"").Append((10_000_000_00L + i * 10L + 9).ToString("D11")).Append("\", \"Issuer\": \"wallet-sim\" }");
        return json.Append("\n]\n").ToString();
    }

    [Fact]
    public async Task Garbage_on_one_connection_does_not_disturb_the_others()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync();
        using var stop = new CancellationTokenSource();
        var random = new Random(31);
        Task vandal = Task.Run(async () =>
        {
            int connections = 0;
            while (!stop.IsCancellationRequested)
            {
                await using TestTerminal bad = await sw.ConnectAsync();
                connections++;
                byte[] junk = new byte[random.Next(1, 600)];
                random.NextBytes(junk);
                try
                {
                    await bad.SendRawAsync(junk);
                    await bad.ReceiveAsync(200);
                }
                catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidDataException or System.Net.Sockets.SocketException)
                {
                    // closed by the switch or nothing to say: both are fine for garbage
                }
            }
            return connections;
        });

        await using TestTerminal good = await sw.ConnectAsync();
        for (int stan = 1; stan <= 300; stan++)
        {
            Authorisation(good.Builder, CardPan, 1000, stan);
            await good.SendAsync();
            IsoMessage reply = (await good.ReceiveAsync())!;
            Assert.Equal("00", Text(reply, 39));
            Assert.Equal(stan.ToString("D6"), Text(reply, 11));
        }
        stop.Cancel();
        await vandal;
        Assert.Equal(300, sw.Card.Ledger.ApprovedCount);
    }
}
