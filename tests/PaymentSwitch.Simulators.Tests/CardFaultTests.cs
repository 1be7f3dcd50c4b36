using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using PaymentSwitch.Iso8583;
using PaymentSwitch.Simulators.Tests.Support;

namespace PaymentSwitch.Simulators.Tests;

public sealed class CardFaultTests
{
    [Fact]
    public async Task Silent_books_but_never_answers_until_the_fault_is_cleared()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync(o => o.Fault = FaultMode.Silent);
        await using IsoTestClient client = await simulator.ConnectAsync();
        await client.SendAsync(Requests.Authorisation(1, 300));
        Assert.True(await client.NothingArrivesAsync(400));
        Assert.Equal((1, 300, 1), (simulator.Ledger.ApprovedCount, simulator.Ledger.ApprovedAmountMinor, simulator.Ledger.FaultedAnswerCount));

        simulator.SetFault(FaultMode.None);
        await client.SendAsync(Requests.Authorisation(2, 400));
        Assert.Equal("000002", (await client.ReceiveMessageAsync(TestDialects.Ascii)).Text(11));
    }

    [Fact]
    public async Task Late_answers_after_the_delay()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync(o => o.Fault = FaultMode.Late(250));
        await using IsoTestClient client = await simulator.ConnectAsync();
        var clock = Stopwatch.StartNew();
        await client.SendAsync(Requests.Authorisation(1, 300));
        IsoMessage answer = await client.ReceiveMessageAsync(TestDialects.Ascii);
        Assert.True(clock.ElapsedMilliseconds >= 250, $"Answered after {clock.ElapsedMilliseconds} ms.");
        Assert.Equal("00", answer.Text(39));
    }

    [Fact]
    public async Task Drop_books_then_closes_the_connection()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync(o => o.Fault = FaultMode.Drop());
        await using IsoTestClient client = await simulator.ConnectAsync();
        await client.SendAsync(Requests.Authorisation(1, 300));
        Assert.Null(await client.ReceiveAsync());
        Assert.Equal(1, simulator.Ledger.ApprovedCount);

        simulator.SetFault(FaultMode.None);
        await using IsoTestClient again = await simulator.ConnectAsync();
        await again.SendAsync(Requests.Authorisation(2, 300));
        Assert.Equal("00", (await again.ReceiveMessageAsync(TestDialects.Ascii)).Text(39));
    }

    [Fact]
    public async Task Drop_every_third_request_answers_the_first_two()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync(o => o.Fault = FaultMode.Drop(3));
        await using IsoTestClient client = await simulator.ConnectAsync();
        for (int stan = 1; stan <= 2; stan++)
        {
            await client.SendAsync(Requests.Authorisation(stan, 1));
            Assert.Equal("00", (await client.ReceiveMessageAsync(TestDialects.Ascii)).Text(39));
        }
        await client.SendAsync(Requests.Authorisation(3, 1));
        Assert.Null(await client.ReceiveAsync());
        Assert.Equal(3, simulator.Ledger.ApprovedCount);
    }

    [Fact]
    public async Task Garbage_answers_with_a_frame_that_does_not_parse()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync(o => o.Fault = FaultMode.Garbage);
        await using IsoTestClient client = await simulator.ConnectAsync();
        await client.SendAsync(Requests.Authorisation(1, 1));
        ReceivedFrame? frame = await client.ReceiveAsync();
        Assert.NotNull(frame);
        Assert.InRange(frame.Message.Length, 16, 64);
        Assert.False(new IsoMessage().TryParse(frame.Message, TestDialects.Ascii, out _));
        Assert.Equal(1, simulator.Ledger.ApprovedCount);
    }

    [Fact]
    public async Task Error_answers_96_and_books_nothing()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync(o => o.Fault = FaultMode.Error);
        await using IsoTestClient client = await simulator.ConnectAsync();
        await client.SendAsync(Requests.Authorisation(1, 1));
        IsoMessage answer = await client.ReceiveMessageAsync(TestDialects.Ascii);
        Assert.Equal((Mti.AuthorisationResponse, "96"), (answer.Mti, answer.Text(39)));
        Assert.Equal("000001", answer.Text(11));
        Assert.Equal(0, simulator.Ledger.ApprovedCount + simulator.Ledger.DeclinedCount);
    }

    [Fact]
    public async Task The_fault_is_changed_at_run_time_through_the_admin_endpoint()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync(o => o.AdminEndPoint = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        using var http = new HttpClient { BaseAddress = new Uri($"http://{simulator.AdminEndPoint}/") };
        await using IsoTestClient client = await simulator.ConnectAsync();

        HttpResponseMessage set = await http.PostAsync("fault?mode=silent", null);
        Assert.Equal(System.Net.HttpStatusCode.OK, set.StatusCode);
        Assert.Equal("silent", (await set.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("mode").GetString());
        Assert.Equal(FaultKind.Silent, simulator.Fault.Kind);
        await client.SendAsync(Requests.Authorisation(1, 1));
        Assert.True(await client.NothingArrivesAsync(300));

        HttpResponseMessage bad = await http.PostAsync("fault?mode=sometimes", null);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("not a fault mode", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.Equal(FaultKind.Silent, simulator.Fault.Kind);

        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.PostAsync("fault?mode=late:100", null)).StatusCode);
        Assert.Equal("late:100", (await http.GetFromJsonAsync<JsonElement>("fault")).GetProperty("mode").GetString());
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.PostAsync("fault?mode=none", null)).StatusCode);
        await client.SendAsync(Requests.Authorisation(2, 1));
        Assert.Equal("000002", (await client.ReceiveMessageAsync(TestDialects.Ascii)).Text(11));

        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.PostAsync("network-management?answer=false", null)).StatusCode);
        Assert.False(simulator.AnswersNetworkManagement);
        Assert.Equal(System.Net.HttpStatusCode.MethodNotAllowed, (await http.GetAsync("reset")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync("nothing-here")).StatusCode);
    }

    [Theory]
    [InlineData("none", FaultKind.None, 0, 1)]
    [InlineData("SILENT", FaultKind.Silent, 0, 1)]
    [InlineData("late:1500", FaultKind.Late, 1500, 1)]
    [InlineData("drop", FaultKind.Drop, 0, 1)]
    [InlineData("drop:7", FaultKind.Drop, 0, 7)]
    [InlineData("garbage", FaultKind.Garbage, 0, 1)]
    [InlineData("error", FaultKind.Error, 0, 1)]
    public void Fault_modes_parse_and_print_back(string text, FaultKind kind, int delayMs, int everyNth)
    {
        FaultMode mode = FaultMode.Parse(text);
        Assert.Equal((kind, delayMs, everyNth), (mode.Kind, mode.DelayMs, mode.EveryNth));
        Assert.Equal(mode, FaultMode.Parse(mode.ToString()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("late")]
    [InlineData("late:0")]
    [InlineData("late:x")]
    [InlineData("drop:0")]
    [InlineData("silent:3")]
    [InlineData("crash")]
    public void Bad_fault_modes_are_refused_with_a_reason(string text)
    {
        Assert.False(FaultMode.TryParse(text, out _, out string? error));
        Assert.Contains(text, error);
    }
}
