using System.Runtime.CompilerServices;

namespace PaymentSwitch.Iso8583.Internal;

/// <summary>Where a builder holds one field's content in its arena.</summary>
internal struct BuilderSlot
{
    public int Offset;
    public int Length;
    /// <summary>Bytes the field takes on the wire (length prefix and encoded content).</summary>
    public int WireLength;
}

/// <summary>One slot per field number 0–128, inline in the builder.</summary>
[InlineArray(129)]
internal struct BuilderSlots
{
    private BuilderSlot _first;
}
