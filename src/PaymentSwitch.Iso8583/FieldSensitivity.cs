namespace PaymentSwitch.Iso8583;

/// <summary>How a field may be shown to people (logs, tools, status pages).</summary>
public enum FieldSensitivity : byte
{
    /// <summary>Shown as is.</summary>
    None,
    /// <summary>A card number: shown masked, first 6 and last 4 digits only.</summary>
    Pan,
    /// <summary>Track data, PIN blocks, card verification data: never shown, only its length.</summary>
    Secret,
    /// <summary>EMV data (BER-TLV): shown tag by tag, with card-number and track-bearing tags masked or hidden.</summary>
    Emv,
}
