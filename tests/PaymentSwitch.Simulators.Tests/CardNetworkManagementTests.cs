using PaymentSwitch.Iso8583;
using PaymentSwitch.Simulators.Tests.Support;

namespace PaymentSwitch.Simulators.Tests;

public sealed class CardNetworkManagementTests
{
    [Theory]
    [InlineData("001")]
    [InlineData("002")]
    [InlineData("301")]
    public async Task Network_management_is_answered_00_echoing_DE7_DE11_DE70(string code)
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync();
        await using IsoTestClient client = await simulator.ConnectAsync();
        await client.SendAsync(Requests.NetworkManagement(987654, code));

        IsoMessage answer = await client.ReceiveMessageAsync(TestDialects.Ascii);
        Assert.Equal(Mti.NetworkManagementResponse, answer.Mti);
        Assert.Equal("00", answer.Text(39));
        Assert.Equal(Requests.De7, answer.Text(7));
        Assert.Equal("987654", answer.Text(11));
        Assert.Equal(code, answer.Text(70));
        Assert.Equal(1, simulator.Ledger.NetworkManagementCount);
        Assert.Equal(0, simulator.Ledger.ApprovedCount);
    }

    [Fact]
    public async Task An_unknown_network_management_code_is_answered_12()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync();
        await using IsoTestClient client = await simulator.ConnectAsync();
        await client.SendAsync(Requests.NetworkManagement(1, "999"));
        Assert.Equal("12", (await client.ReceiveMessageAsync(TestDialects.Ascii)).Text(39));
    }

    [Fact]
    public async Task Sign_on_can_be_made_to_fail_and_restored_at_run_time()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync(o => o.AnswerNetworkManagement = false);
        await using IsoTestClient client = await simulator.ConnectAsync();

        // The sign-on is not answered: the answer that arrives first is the authorisation's, sent after it.
        await client.SendManyAsync([Requests.NetworkManagement(1, "001"), Requests.Authorisation(2, 100)]);
        IsoMessage first = await client.ReceiveMessageAsync(TestDialects.Ascii);
        Assert.Equal(Mti.AuthorisationResponse, first.Mti);
        Assert.True(await client.NothingArrivesAsync(200));
        Assert.False(simulator.AnswersNetworkManagement);

        simulator.SetAnswerNetworkManagement(true);
        await client.SendAsync(Requests.NetworkManagement(3, "001"));
        IsoMessage signOn = await client.ReceiveMessageAsync(TestDialects.Ascii);
        Assert.Equal(Mti.NetworkManagementResponse, signOn.Mti);
        Assert.Equal("000003", signOn.Text(11));
    }
}
