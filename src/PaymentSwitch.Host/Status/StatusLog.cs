using Microsoft.Extensions.Logging;

namespace PaymentSwitch.Host.Status;

/// <summary>
/// Log lines of the operator endpoint. Every change names who made it (remote address and token fingerprint, never
/// the token) and what it was; refusals say why.
/// </summary>
internal static partial class StatusLog
{
    [LoggerMessage(300, LogLevel.Information, "Operator change by {Remote} (token {Fingerprint}): {Action}")]
    public static partial void ChangeMade(ILogger logger, string remote, string fingerprint, string action);

    [LoggerMessage(301, LogLevel.Warning, "Operator change refused for {Remote} (token {Fingerprint}): {Action}: {Reason}")]
    public static partial void ChangeRefused(ILogger logger, string remote, string fingerprint, string action, string reason);

    [LoggerMessage(302, LogLevel.Information, "Operator endpoint: route and issuer changes are {State}")]
    public static partial void AdminState(ILogger logger, string state);
}
