namespace PaymentSwitch.Iso8583;

/// <summary>What characters a field may hold, as ISO 8583 names its attributes.</summary>
public enum ContentType : byte
{
    /// <summary><c>n</c>: digits 0–9.</summary>
    Numeric,
    /// <summary><c>a</c>: letters (and space padding).</summary>
    Alpha,
    /// <summary><c>an</c>: letters and digits (and space padding).</summary>
    AlphaNumeric,
    /// <summary><c>ans</c>: printable characters 0x20–0x7E.</summary>
    AlphaNumericSpecial,
    /// <summary><c>b</c>: raw bytes; lengths count bytes.</summary>
    Binary,
    /// <summary><c>z</c>: track data: digits and the field separator (<c>=</c> or <c>D</c>).</summary>
    Track,
    /// <summary><c>x+n</c>: a sign, <c>C</c> (credit) or <c>D</c> (debit), then digits.</summary>
    SignedAmount,
}
