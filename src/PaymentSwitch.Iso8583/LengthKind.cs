namespace PaymentSwitch.Iso8583;

/// <summary>How a field's length is known: fixed by the dialect, or carried in a 2-, 3- or 4-digit prefix.</summary>
public enum LengthKind : byte
{
    Fixed = 0,
    LL = 2,
    LLL = 3,
    LLLL = 4,
}
