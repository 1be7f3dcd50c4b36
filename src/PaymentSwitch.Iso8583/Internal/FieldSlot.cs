using System.Runtime.CompilerServices;

namespace PaymentSwitch.Iso8583.Internal;

/// <summary>Where one field's content lies: byte offset and byte length on the wire, and its length in characters.</summary>
internal struct FieldSlot
{
    public int Offset;
    public int ByteLength;
    public int LogicalLength;
}

/// <summary>One slot per field number 0–128, held inline so a message view is a single object.</summary>
[InlineArray(129)]
internal struct FieldSlots
{
    private FieldSlot _first;
}
