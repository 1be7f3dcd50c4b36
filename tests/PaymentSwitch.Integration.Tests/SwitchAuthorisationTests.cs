using PaymentSwitch.Integration.Tests.Support;
using PaymentSwitch.Iso8583;
using PaymentSwitch.Simulators;
using static PaymentSwitch.Integration.Tests.Support.Requests;

namespace PaymentSwitch.Integration.Tests;

/// <summary>One authorisation at a time over real loopback sockets: each answer the switch gives, and why.</summary>
public class SwitchAuthorisationTests
{
    [Fact]
    public async Task Card_authorisation_is_approved_with_the_acquirers_fields_echoed()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync();
        await using TestTerminal terminal = await sw.ConnectAsync();
        Authorisation(terminal.Builder, CardPan, 1234, stan: 4711);
        await terminal.SendAsync();
        IsoMessage reply = (await terminal.ReceiveAsync())!;

        Assert.Equal(Mti.AuthorisationResponse, reply.Mti);
        Assert.Equal("00", Text(reply, 39));
        Assert.Equal(6, Text(reply, 38).Length);
        Assert.Equal("004711", Text(reply, 11));          // the acquirer's STAN, not the switch's
        Assert.Equal("RRN000004711", Text(reply, 37));    // the acquirer's RRN restored
        Assert.Equal("000000001234", Text(reply, 4));
        Assert.Equal("TERM0001", Text(reply, 41));
        Assert.Equal("12345", Text(reply, 32));
        Assert.Equal("978", Text(reply, 49));
        Assert.Equal(CardPan, Text(reply, 2));
        Assert.False(reply.Has(35));                        // track data never echoed
        Assert.False(reply.Has(52));                        // nor the PIN block
        Assert.Equal(1, sw.Card.Ledger.ApprovedCount);
        Assert.Equal(1234, sw.Card.Ledger.ApprovedAmountMinor);
        Assert.DoesNotContain(CardPan, sw.Logs.All);
    }

    [Fact]
    public async Task Issuer_decline_is_passed_back()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync(card: o => o.Rules = new IssuerRules { DeclineAboveAmountMinor = 5000 });
        await using TestTerminal terminal = await sw.ConnectAsync();
        Authorisation(terminal.Builder, CardPan, 5001, stan: 1);
        await terminal.SendAsync();
        IsoMessage reply = (await terminal.ReceiveAsync())!;
        Assert.Equal("51", Text(reply, 39));
        Assert.False(reply.Has(38));
        Assert.Equal(1, sw.Card.Ledger.DeclinedCount);
    }

    [Fact]
    public async Task Wallet_route_goes_over_json_and_the_answer_maps_back_to_de39_and_de38()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync(wallet: o => o.Rules = new IssuerRules { DeclineAboveAmountMinor = 900 });
        await using TestTerminal terminal = await sw.ConnectAsync();
        Authorisation(terminal.Builder, WalletPan, 700, stan: 10);
        await terminal.SendAsync();
        IsoMessage approved = (await terminal.ReceiveAsync())!;
        Assert.Equal("00", Text(approved, 39));
        Assert.Equal(6, Text(approved, 38).Length);
        Assert.Equal("000010", Text(approved, 11));

        Authorisation(terminal.Builder, WalletPan, 901, stan: 11);
        await terminal.SendAsync();
        IsoMessage declined = (await terminal.ReceiveAsync())!;
        Assert.Equal("51", Text(declined, 39));

        Assert.Equal(1, sw.Wallet.Ledger.ApprovedCount);
        Assert.Equal(700, sw.Wallet.Ledger.ApprovedAmountMinor);
        Assert.Equal(0, sw.Card.Ledger.ApprovedCount);
    }

    [Theory]
    [InlineData(UnknownBinPan, 1000, null, "15")]       // no route
    [InlineData("4761739001010011", 1000, null, "14")]  // Luhn check fails
    [InlineData(CardPan, 1000, "2001", "54")]            // expired card
    public async Task The_switch_itself_declines_what_it_can_judge(string pan, long amount, string? expiry, string expected)
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync();
        await using TestTerminal terminal = await sw.ConnectAsync();
        Authorisation(terminal.Builder, pan, amount, stan: 77);
        if (expiry is not null) terminal.Builder.SetString(14, expiry);
        await terminal.SendAsync();
        IsoMessage reply = (await terminal.ReceiveAsync())!;
        Assert.Equal(Mti.AuthorisationResponse, reply.Mti);
        Assert.Equal(expected, Text(reply, 39));
        Assert.Equal("000077", Text(reply, 11));
        Assert.Equal(0, sw.Card.Ledger.ApprovedCount + sw.Card.Ledger.DeclinedCount);
    }

    [Fact]
    public async Task Missing_amount_is_a_format_error_and_zero_amount_purchase_is_invalid()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync();
        await using TestTerminal terminal = await sw.ConnectAsync();
        Authorisation(terminal.Builder, CardPan, 1, stan: 1).Remove(4);
        await terminal.SendAsync();
        Assert.Equal("30", Text((await terminal.ReceiveAsync())!, 39));

        Authorisation(terminal.Builder, CardPan, 0, stan: 2, mti: Mti.FinancialRequest);
        await terminal.SendAsync();
        IsoMessage reply = (await terminal.ReceiveAsync())!;
        Assert.Equal(Mti.FinancialResponse, reply.Mti);
        Assert.Equal("13", Text(reply, 39));
    }

    [Fact]
    public async Task Network_management_is_answered_by_the_switch_and_unknown_mtis_get_12()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync();
        await using TestTerminal terminal = await sw.ConnectAsync();
        foreach (int code in new[] { 1, 301, 2 })
        {
            terminal.Builder.Reset(Mti.NetworkManagementRequest).SetString(7, "1122103000").SetNumber(11, code).SetNumber(70, code);
            await terminal.SendAsync();
            IsoMessage reply = (await terminal.ReceiveAsync())!;
            Assert.Equal(Mti.NetworkManagementResponse, reply.Mti);
            Assert.Equal("00", Text(reply, 39));
            Assert.Equal(code.ToString("D3"), Text(reply, 70));
        }

        Authorisation(terminal.Builder, CardPan, 1000, stan: 5, mti: 300);
        await terminal.SendAsync();
        IsoMessage unknown = (await terminal.ReceiveAsync())!;
        Assert.Equal(310, unknown.Mti);
        Assert.Equal("12", Text(unknown, 39));
    }

    [Fact]
    public async Task Malformed_message_with_a_readable_mti_gets_30_and_the_connection_stays_usable()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync();
        await using TestTerminal terminal = await sw.ConnectAsync();
        // 0100, bitmap with DE2 and DE4, DE2 fine, DE4 holds a letter.
        byte[] body = [.. "0100"u8, 0x50, 0, 0, 0, 0, 0, 0, 0, .. "164761739001010010"u8, .. "00000000100X"u8];
        await terminal.SendRawAsync([(byte)(body.Length >> 8), (byte)body.Length, .. body]);
        IsoMessage reply = (await terminal.ReceiveAsync())!;
        Assert.Equal(Mti.AuthorisationResponse, reply.Mti);
        Assert.Equal("30", Text(reply, 39));
        Assert.Contains(sw.Logs.Lines, l => l.Contains("field 4", StringComparison.Ordinal) && l.Contains("DE39 = 30", StringComparison.Ordinal));

        Authorisation(terminal.Builder, CardPan, 1000, stan: 9);
        await terminal.SendAsync();
        Assert.Equal("00", Text((await terminal.ReceiveAsync())!, 39));
        Assert.DoesNotContain(CardPan, sw.Logs.All);
    }

    [Fact]
    public async Task Oversized_frame_and_unreadable_mti_close_only_that_connection_with_a_logged_reason()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync();
        await using TestTerminal good = await sw.ConnectAsync();
        await using TestTerminal oversized = await sw.ConnectAsync();
        await using TestTerminal garbage = await sw.ConnectAsync();

        await oversized.SendRawAsync([0xFF, 0xFF, 1, 2, 3]);
        Assert.Null(await oversized.ReceiveAsync());
        await garbage.SendRawAsync([0x00, 0x06, .. "AB\u0001\u0002CD"u8]);
        Assert.Null(await garbage.ReceiveAsync());

        Authorisation(good.Builder, CardPan, 1000, stan: 1);
        await good.SendAsync();
        Assert.Equal("00", Text((await good.ReceiveAsync())!, 39));
        Assert.Contains(sw.Logs.Lines, l => l.Contains("65535 bytes exceeds the maximum", StringComparison.Ordinal));
        Assert.Contains(sw.Logs.Lines, l => l.Contains("cannot answer without an MTI", StringComparison.Ordinal));
    }
}
