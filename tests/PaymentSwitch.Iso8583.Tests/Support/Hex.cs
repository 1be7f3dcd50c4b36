namespace PaymentSwitch.Iso8583.Tests.Support;

internal static class Hex
{
    /// <summary>Hex with spaces and line breaks allowed, for readable test vectors.</summary>
    public static byte[] Parse(string hex) => Convert.FromHexString(string.Concat(hex.Where(Uri.IsHexDigit)));

    public static byte[] Ascii(string text) => System.Text.Encoding.ASCII.GetBytes(text);

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
