namespace PaymentSwitch.Simulators.Internal;

/// <summary>A command line that cannot be run: the message says what is wrong (the executable exits with code 2).</summary>
internal sealed class CommandLineException(string message) : Exception(message);
