using PaymentSwitch.Integration.Tests.Support;
using PaymentSwitch.Iso8583;
using static PaymentSwitch.Integration.Tests.Support.Requests;

namespace PaymentSwitch.Integration.Tests;

/// <summary>
/// An issuer answer completes the request waiting under its STAN only if it answers that request (MTI, and DE37 when
/// echoed); anything else is ignored, so the request times out, is answered 91 and reversed (rule 3).
/// </summary>
public class AnswerMatchingTests
{
    [Theory]
    [InlineData("0410", false)] // a reversal answer under an authorisation's STAN
    [InlineData("0110", true)]  // the right MTI with another request's RRN
    public async Task An_answer_that_does_not_answer_the_waiting_request_does_not_complete_it(string mti, bool otherRrn)
    {
        int answerMti = int.Parse(mti);
        await using ScriptedCardIssuer issuer = ScriptedCardIssuer.Start((request, answer) =>
        {
            if (request.Mti == Mti.AuthorisationRequest)
            {
                answer.Reset(answerMti).CopyFrom(request, [2, 3, 4, 7, 11, 12, 13, 32, 41, 42, 49]).SetString(39, "00").SetString(38, "WRONG1");
                answer.SetString(37, otherRrn ? "999999999999" : Text(request, 37));
                return true;
            }
            answer.CopyFrom(request, [2, 3, 4, 7, 11, 32, 37, 41, 42, 49]).SetString(39, "00"); // reversals answered properly
            return true;
        });
        // The timeout leaves the wrong answer ample time to arrive while the 0100 still waits: with 400 ms a loaded
        // machine (clean-clone CI, once) let the 0100 time out first, and the 0410 then answered its reversal, rightly.
        await using RunningSwitch sw = await RunningSwitch.StartAsync(overrides:
            [$"--Issuers:0:Endpoints:0={issuer.EndPoint}", "--Issuers:0:TimeoutMs=2000"]);
        await Eventually.TrueAsync(() => sw.Runtime.Engine!.Issuers.Find("card-sim")!.HasReadyConnection, "signed on");
        await using TestTerminal terminal = await sw.ConnectAsync();

        Authorisation(terminal.Builder, CardPan, 4200, stan: 7301);
        await terminal.SendAsync();
        IsoMessage reply = (await terminal.ReceiveAsync())!;
        Assert.Equal("91", Text(reply, 39)); // not the "00" the mismatched answer carried
        Assert.False(reply.Has(38));
        await Eventually.TrueAsync(() => issuer.Requests.Any(r => r.Mti is Mti.ReversalAdvice or Mti.ReversalAdviceRepeat) && sw.Runtime.Engine!.Reversals.Count == 0,
            "the unknown outcome is reversed");
        Assert.Contains("does not answer the 0100 waiting under that STAN", sw.Logs.All);
    }
}
