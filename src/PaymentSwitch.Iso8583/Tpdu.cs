using System.Buffers.Binary;

namespace PaymentSwitch.Iso8583;

/// <summary>
/// The 5-byte transport protocol data unit some networks put between the length header and the message: an ID
/// byte (usually 0x60), a 2-byte destination address and a 2-byte source address.
/// </summary>
public readonly record struct Tpdu(byte Id, ushort Destination, ushort Source)
{
    public const int Length = 5;

    /// <summary>True for the default value (no TPDU read or to write).</summary>
    public bool IsEmpty => Id == 0 && Destination == 0 && Source == 0;

    public static Tpdu Read(ReadOnlySpan<byte> bytes)
        => new(bytes[0], BinaryPrimitives.ReadUInt16BigEndian(bytes[1..]), BinaryPrimitives.ReadUInt16BigEndian(bytes[3..]));

    public void Write(Span<byte> bytes)
    {
        bytes[0] = Id;
        BinaryPrimitives.WriteUInt16BigEndian(bytes[1..], Destination);
        BinaryPrimitives.WriteUInt16BigEndian(bytes[3..], Source);
    }

    /// <summary>The TPDU for the answer: destination and source swapped.</summary>
    public Tpdu ForReply() => new(Id, Source, Destination);

    public override string ToString() => $"{Id:X2}{Destination:X4}{Source:X4}";
}
