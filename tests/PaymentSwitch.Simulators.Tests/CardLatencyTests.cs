using System.Diagnostics;
using PaymentSwitch.Iso8583;
using PaymentSwitch.Simulators.Tests.Support;

namespace PaymentSwitch.Simulators.Tests;

public sealed class CardLatencyTests
{
    [Fact]
    public async Task Answers_are_held_for_the_configured_latency()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync(o => o.LatencyMs = 150);
        await using IsoTestClient client = await simulator.ConnectAsync();
        var clock = Stopwatch.StartNew();
        await client.SendAsync(Requests.Authorisation(1, 100));
        IsoMessage answer = await client.ReceiveMessageAsync(TestDialects.Ascii);
        clock.Stop();
        Assert.Equal("00", answer.Text(39));
        Assert.True(clock.ElapsedMilliseconds >= 150, $"Answered after {clock.ElapsedMilliseconds} ms, before the 150 ms latency.");
    }

    [Fact]
    public async Task Pipelined_requests_with_jitter_are_answered_once_each_and_out_of_order()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync(o =>
        {
            o.LatencyMs = 1;
            o.LatencyJitterMs = 80;
        });
        await using IsoTestClient client = await simulator.ConnectAsync();
        const int count = 100;
        await client.SendManyAsync(Enumerable.Range(1, count).Select(stan => Requests.Authorisation(stan, stan)));

        var order = new List<int>(count);
        for (int i = 0; i < count; i++)
        {
            IsoMessage answer = await client.ReceiveMessageAsync(TestDialects.Ascii);
            Assert.Equal("00", answer.Text(39));
            int stan = int.Parse(answer.Text(11), System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(stan, int.Parse(answer.Text(4), System.Globalization.CultureInfo.InvariantCulture));
            order.Add(stan);
        }
        Assert.True(await client.NothingArrivesAsync(150), "More answers than requests.");
        Assert.Equal(Enumerable.Range(1, count), order.Order());
        Assert.NotEqual(Enumerable.Range(1, count), order);
        Assert.Equal(count, simulator.Ledger.ApprovedCount);
    }

    [Fact]
    public async Task With_fixed_latency_a_pipelined_connection_keeps_its_order()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync(o => o.LatencyMs = 20);
        await using IsoTestClient client = await simulator.ConnectAsync();
        await client.SendManyAsync(Enumerable.Range(1, 50).Select(stan => Requests.Authorisation(stan, 1)));
        for (int stan = 1; stan <= 50; stan++)
            Assert.Equal(stan.ToString("D6", System.Globalization.CultureInfo.InvariantCulture), (await client.ReceiveMessageAsync(TestDialects.Ascii)).Text(11));
    }

    [Fact]
    public async Task A_full_delay_queue_pushes_back_without_losing_requests()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync(o =>
        {
            o.LatencyMs = 30;
            o.MaxPendingRepliesPerConnection = 4;
        });
        await using IsoTestClient client = await simulator.ConnectAsync();
        await client.SendManyAsync(Enumerable.Range(1, 40).Select(stan => Requests.Authorisation(stan, 1)));
        var stans = new HashSet<string>();
        for (int i = 0; i < 40; i++) Assert.True(stans.Add((await client.ReceiveMessageAsync(TestDialects.Ascii)).Text(11)));
        Assert.Equal(40, simulator.Ledger.ApprovedCount);
    }
}
