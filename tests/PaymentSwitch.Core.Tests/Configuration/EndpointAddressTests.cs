using PaymentSwitch.Core.Networking;

namespace PaymentSwitch.Core.Tests.Configuration;

public class EndpointAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:5000", "127.0.0.1:5000")]
    [InlineData("localhost:7001", "127.0.0.1:7001")]
    [InlineData("[::1]:8080", "[::1]:8080")]
    [InlineData("0.0.0.0:0", "0.0.0.0:0")]
    public void Parses_address_and_port(string text, string expected)
    {
        Assert.True(EndpointAddress.TryParse(text, out var endpoint));
        Assert.Equal(expected, endpoint!.ToString());
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:")]
    [InlineData("127.0.0.1:70000")]
    [InlineData("::1:80")]
    [InlineData("example.com:80")]
    [InlineData("")]
    [InlineData(null)]
    public void Refuses_anything_else(string? text) => Assert.False(EndpointAddress.TryParse(text, out _));
}
