namespace PaymentSwitch.Iso8583;

/// <summary>A dialect definition is missing or wrong; the message names the file and the field.</summary>
public sealed class DialectException(string message) : Exception(message);
