using System.Buffers;
using System.Buffers.Binary;

namespace PaymentSwitch.Iso8583;

/// <summary>
/// How messages are delimited on a TCP stream: a length header (<c>len2</c> or <c>len4-ascii</c>), an optional 5-byte
/// TPDU after it, and the largest frame accepted. The length in the header counts the TPDU and the message.
/// Immutable; share one per listener or issuer link.
/// </summary>
public sealed class Framing
{
    /// <summary>Default largest frame (TPDU and message) accepted.</summary>
    public const int DefaultMaxFrameBytes = 8192;

    public Framing(FrameHeader header, bool hasTpdu = false, int maxFrameBytes = DefaultMaxFrameBytes)
    {
        int limit = header == FrameHeader.Len2 ? ushort.MaxValue : 9999;
        if (maxFrameBytes < 16 || maxFrameBytes > limit)
            throw new ArgumentOutOfRangeException(nameof(maxFrameBytes), maxFrameBytes, $"The maximum frame size must be 16..{limit} bytes for {header}.");
        Header = header;
        HasTpdu = hasTpdu;
        MaxFrameBytes = maxFrameBytes;
        LengthBytes = header == FrameHeader.Len2 ? 2 : 4;
        HeaderLength = LengthBytes + (hasTpdu ? Tpdu.Length : 0);
    }

    /// <summary>Parses a framing name: <c>len2</c> or <c>len4-ascii</c>.</summary>
    public static Framing Parse(string name, bool hasTpdu = false, int maxFrameBytes = DefaultMaxFrameBytes) => name.ToLowerInvariant() switch
    {
        "len2" => new Framing(FrameHeader.Len2, hasTpdu, maxFrameBytes),
        "len4-ascii" => new Framing(FrameHeader.Len4Ascii, hasTpdu, maxFrameBytes),
        _ => throw new ArgumentException($"Unknown framing '{name}'; expected len2 or len4-ascii.", nameof(name)),
    };

    public FrameHeader Header { get; }
    public bool HasTpdu { get; }
    public int MaxFrameBytes { get; }

    /// <summary>Bytes of the length field.</summary>
    public int LengthBytes { get; }

    /// <summary>Bytes before the message: length field plus TPDU.</summary>
    public int HeaderLength { get; }

    public override string ToString() => (Header == FrameHeader.Len2 ? "len2" : "len4-ascii") + (HasTpdu ? "+tpdu" : "");

    /// <summary>
    /// Reads one frame from the start of <paramref name="buffer"/> (which may span segments). On
    /// <see cref="FrameStatus.Complete"/>, <paramref name="message"/> is the message (MTI onwards, possibly empty: a
    /// keep-alive), <paramref name="tpdu"/> the TPDU when configured, and <paramref name="buffer"/> is advanced past
    /// the frame. Otherwise <paramref name="buffer"/> is left as it was. <paramref name="announcedBytes"/> is the
    /// length the header announced (for logging an oversized frame).
    /// </summary>
    public FrameStatus TryReadFrame(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> message, out Tpdu tpdu, out int announcedBytes)
    {
        message = default;
        tpdu = default;
        announcedBytes = 0;
        if (buffer.Length < LengthBytes) return FrameStatus.Incomplete;

        Span<byte> header = stackalloc byte[4];
        ReadOnlySpan<byte> first = buffer.FirstSpan;
        if (first.Length >= LengthBytes) first[..LengthBytes].CopyTo(header);
        else buffer.Slice(0, LengthBytes).CopyTo(header);

        int length;
        if (Header == FrameHeader.Len2)
        {
            length = BinaryPrimitives.ReadUInt16BigEndian(header);
        }
        else
        {
            length = 0;
            for (int i = 0; i < 4; i++)
            {
                int d = header[i] - '0';
                if ((uint)d > 9) return FrameStatus.InvalidHeader;
                length = (length * 10) + d;
            }
        }
        announcedBytes = length;
        if (length > MaxFrameBytes) return FrameStatus.TooLarge;
        if (HasTpdu && length < Tpdu.Length) return FrameStatus.InvalidHeader;
        if (buffer.Length - LengthBytes < length) return FrameStatus.Incomplete;

        ReadOnlySequence<byte> frame = buffer.Slice(LengthBytes, length);
        if (HasTpdu)
        {
            Span<byte> t = stackalloc byte[Tpdu.Length];
            frame.Slice(0, Tpdu.Length).CopyTo(t);
            tpdu = Tpdu.Read(t);
            frame = frame.Slice(Tpdu.Length);
        }
        message = frame;
        buffer = buffer.Slice(LengthBytes + length);
        return FrameStatus.Complete;
    }

    /// <summary>A message of <paramref name="messageLength"/> bytes fits in one frame (with the TPDU, when configured).</summary>
    public bool Fits(int messageLength) => messageLength + (HasTpdu ? Tpdu.Length : 0) <= MaxFrameBytes;

    /// <summary>
    /// Writes the header (length, then TPDU when configured) for a message of <paramref name="messageLength"/> bytes.
    /// Callers check <see cref="Fits"/> first; a message that does not fit throws.
    /// </summary>
    public void WriteHeader(Span<byte> destination, int messageLength, Tpdu tpdu = default)
    {
        int length = messageLength + (HasTpdu ? Tpdu.Length : 0);
        if (length > MaxFrameBytes)
            throw new InvalidOperationException($"A {length}-byte frame exceeds this framing's maximum of {MaxFrameBytes} bytes.");
        if (Header == FrameHeader.Len2)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)length);
        }
        else
        {
            for (int i = 3; i >= 0; i--, length /= 10) destination[i] = (byte)('0' + (length % 10));
        }
        if (HasTpdu) tpdu.Write(destination[LengthBytes..]);
    }

    /// <summary>
    /// The message as one contiguous block: the sequence's own memory when it is one segment (the usual case, no
    /// copy), otherwise copied into <paramref name="scratch"/>, which must hold <see cref="MaxFrameBytes"/>.
    /// </summary>
    public static ReadOnlyMemory<byte> Contiguous(in ReadOnlySequence<byte> message, byte[] scratch)
    {
        if (message.IsSingleSegment) return message.First;
        message.CopyTo(scratch);
        return scratch.AsMemory(0, (int)message.Length);
    }
}
