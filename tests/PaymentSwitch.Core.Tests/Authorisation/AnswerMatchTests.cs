using System.Runtime.CompilerServices;
using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Core.Issuers.Internal;
using PaymentSwitch.Core.Tests.Durability;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Core.Tests.Authorisation;

/// <summary><see cref="SwitchEngine.IsAnswerTo"/>: which issuer answers may complete the request waiting under their STAN.</summary>
public class AnswerMatchTests
{
    private static readonly Dialect Ascii = DurabilityFixtures.Ascii;

    private static Transaction Sent(int mti, RetrievalReference rrn, long deadline = 1)
    {
        var t = (Transaction)RuntimeHelpers.GetUninitializedObject(typeof(Transaction)); // no engine needed here
        t.IssuerMti = mti;
        t.IssuerRrn = rrn;
        t.DeadlineTimestamp = deadline;
        return t;
    }

    private static IsoMessage Answer(int mti, string? rrn)
    {
        var builder = new IsoMessageBuilder(Ascii);
        builder.Reset(mti).SetNumber(11, 42).SetString(39, "00");
        if (rrn is not null) builder.SetString(37, rrn);
        return DurabilityFixtures.Parsed(builder);
    }

    [Fact]
    public void Only_the_response_mti_of_what_was_sent_with_its_rrn_when_echoed_matches()
    {
        RetrievalReference rrn = RetrievalReference.Create(new DateTime(2026, 11, 22, 12, 0, 0, DateTimeKind.Utc), 42);
        Span<byte> digits = stackalloc byte[12];
        rrn.Format(digits);
        string own = System.Text.Encoding.ASCII.GetString(digits);
        Transaction authorisation = Sent(Mti.AuthorisationRequest, rrn);

        Assert.True(SwitchEngine.IsAnswerTo(authorisation, Answer(Mti.AuthorisationResponse, own)));
        Assert.True(SwitchEngine.IsAnswerTo(authorisation, Answer(Mti.AuthorisationResponse, null))); // DE37 not echoed
        Assert.False(SwitchEngine.IsAnswerTo(authorisation, Answer(Mti.AuthorisationResponse, "999999999999")));
        Assert.False(SwitchEngine.IsAnswerTo(authorisation, Answer(Mti.ReversalResponse, own)));
        Assert.False(SwitchEngine.IsAnswerTo(authorisation, Answer(Mti.FinancialResponse, own)));
        Assert.True(SwitchEngine.IsAnswerTo(Sent(Mti.AuthorisationRequestRepeat, rrn), Answer(Mti.AuthorisationResponse, own)));
        Assert.True(SwitchEngine.IsAnswerTo(Sent(Mti.FinancialRequest, rrn), Answer(Mti.FinancialResponse, own)));
    }

    [Fact]
    public void A_request_not_sent_yet_matches_nothing()
    {
        // Registered (its STAN taken) while its Forwarded record is made durable: any answer under that STAN is for
        // an earlier request that had the STAN before the numbering wrapped.
        RetrievalReference rrn = RetrievalReference.Create(DateTime.UtcNow, 7);
        Assert.False(SwitchEngine.IsAnswerTo(Sent(Mti.AuthorisationRequest, rrn, PendingTable.Unarmed), Answer(Mti.AuthorisationResponse, null)));
        Assert.False(SwitchEngine.IsAnswerTo(Sent(0, rrn), Answer(Mti.AuthorisationResponse, null)));
    }

    [Fact]
    public void A_reversal_is_answered_by_0410_or_0430_and_an_advice_by_0130()
    {
        RetrievalReference rrn = RetrievalReference.Create(DateTime.UtcNow, 9);
        Transaction reversal = Sent(Mti.ReversalAdviceRepeat, rrn);
        reversal.Kind = TransactionKind.Reversal;
        Assert.True(SwitchEngine.IsAnswerTo(reversal, Answer(Mti.ReversalAdviceResponse, "000000000000"))); // RRN not checked
        Assert.True(SwitchEngine.IsAnswerTo(reversal, Answer(Mti.ReversalResponse, null)));
        Assert.False(SwitchEngine.IsAnswerTo(reversal, Answer(Mti.AuthorisationResponse, null)));
        Transaction advice = Sent(Mti.AuthorisationAdvice, rrn);
        advice.Kind = TransactionKind.Reversal;
        Assert.True(SwitchEngine.IsAnswerTo(advice, Answer(Mti.AuthorisationAdviceResponse, null)));
        Assert.False(SwitchEngine.IsAnswerTo(advice, Answer(Mti.ReversalAdviceResponse, null)));
    }
}
