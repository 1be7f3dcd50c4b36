using PaymentSwitch.Core.Authorisation;

namespace PaymentSwitch.Core.Tests.Authorisation;

public class ResponseCodeTests
{
    [Theory]
    [InlineData("00", true)]
    [InlineData("91", true)]
    [InlineData("N7", true)]
    [InlineData("0", false)]
    [InlineData("0 ", false)]
    [InlineData("000", false)]
    public void Reads_two_alphanumeric_characters(string text, bool valid)
        => Assert.Equal(valid, ResponseCode.TryRead(System.Text.Encoding.ASCII.GetBytes(text), out _));

    [Fact]
    public void Index_round_trips_for_every_code()
    {
        for (int i = 0; i < 36 * 36; i++) Assert.Equal(i, ResponseCode.FromIndex(i).Index);
        Assert.Equal("91", ResponseCode.IssuerUnavailable.ToString());
        Assert.True(ResponseCode.Approved.IsApproved);
        Assert.False(ResponseCode.DoNotHonour.IsApproved);
    }
}
