using PaymentSwitch.Iso8583.Internal;

namespace PaymentSwitch.Iso8583.Tests;

public sealed class ShortCopyTests
{
    [Fact]
    public void Every_length_copies_exactly_its_bytes_and_nothing_past_them()
    {
        var random = new Random(8583);
        for (int length = 0; length <= 40; length++)
        {
            byte[] source = new byte[length];
            random.NextBytes(source);
            byte[] destination = new byte[length + 8];
            Array.Fill(destination, (byte)0xEE);
            ShortCopy.Copy(source, destination);
            Assert.Equal(source, destination[..length]);
            Assert.All(destination[length..], b => Assert.Equal(0xEE, b)); // the guard bytes after it are untouched
        }
    }

    [Fact]
    public void A_destination_shorter_than_the_source_is_refused()
    {
        Assert.Throws<ArgumentException>(() => ShortCopy.Copy(new byte[9], new byte[8]));
        Assert.Throws<ArgumentException>(() => ShortCopy.Copy(new byte[3], new byte[2]));
    }
}
