namespace PaymentSwitch.Simulators;

/// <summary>The outcome of <see cref="IssuerRules.Decide"/>, with the ISO 8583 response code (DE39) each one answers.</summary>
public enum IssuerDecision : byte
{
    /// <summary>00: approved.</summary>
    Approved,

    /// <summary>14: invalid card number (not 12–19 digits).</summary>
    InvalidCardNumber,

    /// <summary>54: expired card (DE14 before the current month, or not a valid YYMM).</summary>
    ExpiredCard,

    /// <summary>05: do not honour (the card number ends with the configured suffix).</summary>
    DoNotHonour,

    /// <summary>51: insufficient funds (the amount is above the configured limit).</summary>
    InsufficientFunds,
}
