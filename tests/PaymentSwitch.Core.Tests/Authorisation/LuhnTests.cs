using PaymentSwitch.Core.Authorisation;

namespace PaymentSwitch.Core.Tests.Authorisation;

public class LuhnTests
{
    [Theory]
    [InlineData("4761739001010010", true)]
    [InlineData("4761739001010011", false)]
    [InlineData("79927398713", true)]
    [InlineData("79927398710", false)]
    [InlineData("4761739A01010010", false)]
    [InlineData("", false)]
    public void Checks_the_mod_10_digit(string pan, bool valid)
        => Assert.Equal(valid, Luhn.IsValid(System.Text.Encoding.ASCII.GetBytes(pan)));

    [Fact]
    public void Check_digit_completes_a_valid_number()
    {
        var random = new Random(4);
        for (int i = 0; i < 1000; i++)
        {
            byte[] payload = Enumerable.Range(0, random.Next(11, 18)).Select(_ => (byte)('0' + random.Next(10))).ToArray();
            byte[] pan = [.. payload, Luhn.CheckDigit(payload)];
            Assert.True(Luhn.IsValid(pan));
        }
    }
}
