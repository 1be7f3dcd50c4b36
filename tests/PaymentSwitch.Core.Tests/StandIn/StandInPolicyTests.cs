using PaymentSwitch.Core.Configuration;
using PaymentSwitch.Core.StandIn;
using PaymentSwitch.Core.Tests.Durability;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Core.Tests.StandIn;

public class StandInPolicyTests
{
    private static IsoMessage Request(string pan)
    {
        var builder = new IsoMessageBuilder(DurabilityFixtures.Ascii);
        builder.Reset(Mti.AuthorisationRequest).SetString(2, pan).SetNumber(4, 1).SetString(49, "978");
        return DurabilityFixtures.Parsed(builder);
    }

    [Fact]
    public void A_card_at_its_daily_limit_stays_there_when_the_table_fills_with_other_cards()
    {
        var policy = new StandInPolicy(new StandInOptions
        {
            Enabled = true, MaxAmountMinor = 10_000, MaxDailyAmountPerCardMinor = 10_000, MaxTrackedCards = 2,
        });
        Span<byte> code = stackalloc byte[6];
        IsoMessage a = Request("4761739001010010"), b = Request("4761739001010028"), c = Request("4761739001010036");

        Assert.True(policy.TryApprove(a, 10_000, code)); // card A uses its whole day
        Assert.False(policy.TryApprove(a, 1, code));
        Assert.True(policy.TryApprove(b, 500, code));
        // The table is full of today's cards: a third card is declined, rather than card A being forgotten.
        Assert.False(policy.TryApprove(c, 500, code));
        Assert.False(policy.TryApprove(a, 1, code));
        Assert.True(policy.TryApprove(b, 500, code)); // a tracked card still gets the rest of its limit
        Assert.Equal(3, policy.ApprovedTotal);
    }
}
