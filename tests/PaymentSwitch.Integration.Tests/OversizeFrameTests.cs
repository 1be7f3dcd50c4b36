using PaymentSwitch.Integration.Tests.Support;
using PaymentSwitch.Iso8583;
using static PaymentSwitch.Integration.Tests.Support.Requests;

namespace PaymentSwitch.Integration.Tests;

/// <summary>
/// Messages that fit one side's frames but not the other's once the switch has done its part: answered, never a
/// crash, a stuck issuer link or a lost approval.
/// </summary>
public class OversizeFrameTests
{
    [Fact]
    public async Task A_request_that_outgrows_the_issuer_frames_is_answered_30_and_the_switch_keeps_working()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync();
        await using TestTerminal terminal = await sw.ConnectAsync();

        // Legal iso87-ascii, within the acquirer's 8,192-byte frames. The switch adds DE33 (2 + 6 bytes) on the way to
        // the issuer, whose frames are 8,192 bytes too.
        Authorisation(terminal.Builder, CardPan, 1500, stan: 7001);
        foreach (int field in new[] { 46, 47, 48, 56, 57, 58, 59, 60, 61, 62 })
        {
            int room = 8190 - terminal.Builder.MessageLength - 3; // LLL prefix
            if (room <= 0) break;
            terminal.Builder.SetString(field, new string('A', Math.Min(999, room)));
        }
        Assert.InRange(terminal.Builder.MessageLength, 8192 - 7, 8192);
        await terminal.SendAsync();

        IsoMessage reply = (await terminal.ReceiveAsync())!;
        Assert.Equal(Mti.AuthorisationResponse, reply.Mti);
        Assert.Equal("30", Text(reply, 39));
        Assert.Equal(0, sw.Card.Ledger.ApprovedCount); // never sent
        Assert.Contains("larger than issuer 'card-sim' frames", sw.Logs.All);

        Authorisation(terminal.Builder, CardPan, 1500, stan: 7002);
        await terminal.SendAsync();
        Assert.Equal("00", Text((await terminal.ReceiveAsync())!, 39));
        Assert.Equal(0, sw.Runtime.Engine!.Reversals.Count); // nothing was sent, so nothing is owed
    }

    [Fact]
    public async Task An_approval_too_large_for_the_acquirer_frames_is_answered_96_and_reversed_and_the_link_keeps_working()
    {
        int answered = 0;
        await using ScriptedCardIssuer issuer = ScriptedCardIssuer.Start((request, answer) =>
        {
            answer.CopyFrom(request, [2, 3, 4, 7, 11, 12, 13, 32, 37, 41, 42, 49]).SetString(39, "00");
            if (request.Mti == Mti.AuthorisationRequest)
            {
                answer.SetString(38, "A1B2C3");
                if (Interlocked.Increment(ref answered) == 1) answer.SetBinary(55, IssuerScripts(976)); // the first answer only
            }
            return true;
        });
        await using RunningSwitch sw = await RunningSwitch.StartAsync(overrides:
            [$"--Issuers:0:Endpoints:0={issuer.EndPoint}", "--Acquirers:0:MaxFrameBytes=1024"]);
        await Eventually.TrueAsync(() => sw.Runtime.Engine!.Issuers.Find("card-sim")!.HasReadyConnection, "signed on");
        await using TestTerminal terminal = await sw.ConnectAsync();

        Authorisation(terminal.Builder, CardPan, 4200, stan: 7101);
        await terminal.SendAsync();
        IsoMessage reply = (await terminal.ReceiveAsync())!;
        Assert.Equal("96", Text(reply, 39));
        Assert.False(reply.Has(38)); // no approval code for an approval not given
        Assert.False(reply.Has(55));
        // The issuer approved what the acquirer was told is declined: the switch reverses it.
        await Eventually.TrueAsync(() => issuer.Requests.Any(r => r.Mti == Mti.ReversalAdvice) && sw.Runtime.Engine!.Reversals.Count == 0, "0420 sent and answered");
        Assert.Contains("more than acquirer 'pos' frames allow", sw.Logs.All);

        // The issuer link was not broken by it: the next request is approved.
        Authorisation(terminal.Builder, CardPan, 4200, stan: 7102);
        await terminal.SendAsync();
        IsoMessage next = (await terminal.ReceiveAsync())!;
        Assert.Equal("00", Text(next, 39));
        Assert.Equal("A1B2C3", Text(next, 38));
    }

    [Fact]
    public async Task A_decline_too_large_for_the_acquirer_frames_is_passed_on_without_the_issuer_fields()
    {
        await using ScriptedCardIssuer issuer = ScriptedCardIssuer.Start((request, answer) =>
        {
            answer.CopyFrom(request, [2, 3, 4, 7, 11, 12, 13, 32, 37, 41, 42, 49]).SetString(39, "05").SetBinary(55, IssuerScripts(976));
            return true;
        });
        await using RunningSwitch sw = await RunningSwitch.StartAsync(overrides:
            [$"--Issuers:0:Endpoints:0={issuer.EndPoint}", "--Acquirers:0:MaxFrameBytes=1024"]);
        await Eventually.TrueAsync(() => sw.Runtime.Engine!.Issuers.Find("card-sim")!.HasReadyConnection, "signed on");
        await using TestTerminal terminal = await sw.ConnectAsync();

        Authorisation(terminal.Builder, CardPan, 4200, stan: 7201);
        await terminal.SendAsync();
        IsoMessage reply = (await terminal.ReceiveAsync())!;
        Assert.Equal("05", Text(reply, 39));
        Assert.False(reply.Has(55));
        await Task.Delay(300);
        Assert.DoesNotContain(issuer.Requests, r => r.Mti == Mti.ReversalAdvice); // a decline is not reversed
        Assert.Equal(0, sw.Runtime.Engine!.Reversals.Count);
    }

    /// <summary>EMV issuer data of <paramref name="length"/> bytes: 9F10 elements of 240 bytes (long-form length 81 F0).</summary>
    private static byte[] IssuerScripts(int length)
    {
        var data = new byte[length];
        for (int at = 0; at + 244 <= length; at += 244)
        {
            data[at] = 0x9F; data[at + 1] = 0x10; data[at + 2] = 0x81; data[at + 3] = 0xF0;
            data.AsSpan(at + 4, 240).Fill(0x11);
        }
        return data;
    }
}
