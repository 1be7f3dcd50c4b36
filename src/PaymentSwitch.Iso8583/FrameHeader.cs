namespace PaymentSwitch.Iso8583;

/// <summary>The length header in front of every message on a TCP stream.</summary>
public enum FrameHeader : byte
{
    /// <summary><c>len2</c>: 2-byte big-endian length, not counting itself.</summary>
    Len2,
    /// <summary><c>len4-ascii</c>: 4 ASCII digits, not counting themselves.</summary>
    Len4Ascii,
}
