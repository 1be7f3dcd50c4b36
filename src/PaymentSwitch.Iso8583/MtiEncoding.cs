namespace PaymentSwitch.Iso8583;

/// <summary>How the 4-digit message type indicator is written.</summary>
public enum MtiEncoding : byte
{
    /// <summary>Four ASCII digits.</summary>
    Ascii,
    /// <summary>Two bytes of packed BCD.</summary>
    Bcd,
    /// <summary>Four EBCDIC digits.</summary>
    Ebcdic,
}
