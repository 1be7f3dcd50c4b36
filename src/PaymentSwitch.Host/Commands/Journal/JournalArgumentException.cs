namespace PaymentSwitch.Host.Commands.Journal;

/// <summary>A bad command line or a directory that is not a journal: exit code 2 with this message.</summary>
internal sealed class JournalArgumentException(string message) : Exception(message);
