namespace PaymentSwitch.Iso8583;

/// <summary>What <see cref="Framing.TryReadFrame"/> found at the start of the buffer.</summary>
public enum FrameStatus : byte
{
    /// <summary>A whole frame was read and removed from the buffer.</summary>
    Complete,
    /// <summary>The buffer holds only part of a frame: read more bytes.</summary>
    Incomplete,
    /// <summary>The header announces a frame larger than the configured maximum: close the connection.</summary>
    TooLarge,
    /// <summary>The header is not valid (non-digit in a len4-ascii header, a frame shorter than its TPDU): close the connection.</summary>
    InvalidHeader,
}
