using System.Net;
using Microsoft.Extensions.Logging;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Simulators.Internal;

/// <summary>
/// Every log line the simulators write. None carries a full card number: messages are shown through
/// <see cref="MessageDescriber.Summarize"/> (masked), parse errors name a field and an offset, never content, and the
/// wallet logs its idempotency keys (acquirer, terminal, STAN, time) but never the account.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Card issuer simulator listening on {EndPoint} ({Dialect}, {Framing}); rules: {Rules}; latency {LatencyMs} ms ± {JitterMs} ms; fault: {Fault}")]
    public static partial void CardListening(ILogger logger, IPEndPoint endPoint, string dialect, Framing framing, IssuerRules rules, int latencyMs, int jitterMs, FaultMode fault);

    [LoggerMessage(2, LogLevel.Information, "Admin endpoint listening on http://{EndPoint} (GET /ledger, POST /fault?mode=…, POST /reset, POST /ledger/save)")]
    public static partial void AdminListening(ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(3, LogLevel.Debug, "Connection {ConnectionId} from {Remote} opened")]
    public static partial void ConnectionOpened(ILogger logger, long connectionId, EndPoint? remote);

    [LoggerMessage(4, LogLevel.Debug, "Connection {ConnectionId} closed: {Reason}")]
    public static partial void ConnectionClosed(ILogger logger, long connectionId, string reason);

    [LoggerMessage(5, LogLevel.Warning, "Refused a connection from {Remote}: {Max} connections are open already. Raise MaxConnections or close idle clients.")]
    public static partial void ConnectionLimit(ILogger logger, EndPoint? remote, int max);

    [LoggerMessage(6, LogLevel.Warning, "Connection {ConnectionId}: a frame announces {AnnouncedBytes} bytes, more than the {MaxBytes}-byte limit; closing it. Check the client's framing (len2 or len4-ascii, TPDU) matches the simulator's.")]
    public static partial void FrameTooLarge(ILogger logger, long connectionId, int announcedBytes, int maxBytes);

    [LoggerMessage(7, LogLevel.Warning, "Connection {ConnectionId}: invalid frame header; closing it. Check the client's framing (len2 or len4-ascii, TPDU) matches the simulator's.")]
    public static partial void InvalidFrameHeader(ILogger logger, long connectionId);

    [LoggerMessage(8, LogLevel.Warning, "Connection {ConnectionId}: malformed message (MTI {Mti}): {Error}. Answered DE39=30 when the MTI was readable. Check the client's dialect matches the simulator's ({Dialect}).")]
    public static partial void MalformedMessage(ILogger logger, long connectionId, int mti, ParseError error, string dialect);

    [LoggerMessage(9, LogLevel.Trace, "Connection {ConnectionId}: {Request} -> {ResponseCode}")]
    public static partial void MessageHandled(ILogger logger, long connectionId, string request, string responseCode);

    [LoggerMessage(10, LogLevel.Warning, "Connection {ConnectionId} failed")]
    public static partial void ConnectionFailed(ILogger logger, long connectionId, Exception exception);

    [LoggerMessage(11, LogLevel.Information, "Fault mode changed from {Previous} to {Current}")]
    public static partial void FaultChanged(ILogger logger, FaultMode previous, FaultMode current);

    [LoggerMessage(12, LogLevel.Information, "Network management (0800) answers switched {State}")]
    public static partial void NetworkManagementSwitched(ILogger logger, string state);

    [LoggerMessage(13, LogLevel.Information, "Ledger reset")]
    public static partial void LedgerReset(ILogger logger);

    [LoggerMessage(14, LogLevel.Information, "Ledger written to {Path}: net approved {NetApprovedAmountMinor} (approved {ApprovedCount}, reversed {ReversedCount}, advices {AdviceCount})")]
    public static partial void LedgerWritten(ILogger logger, string path, long netApprovedAmountMinor, long approvedCount, long reversedCount, long adviceCount);

    [LoggerMessage(15, LogLevel.Error, "Could not write the ledger to {Path}; check the directory exists and is writable")]
    public static partial void LedgerWriteFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(16, LogLevel.Debug, "Connection {ConnectionId}: dropping the connection instead of answering (fault {Fault})")]
    public static partial void FaultDrop(ILogger logger, long connectionId, FaultMode fault);

    [LoggerMessage(17, LogLevel.Information, "Wallet issuer simulator listening on http://{EndPoint}; rules: {Rules}; latency {LatencyMs} ms ± {JitterMs} ms; fault: {Fault}")]
    public static partial void WalletListening(ILogger logger, IPEndPoint endPoint, IssuerRules rules, int latencyMs, int jitterMs, FaultMode fault);

    [LoggerMessage(18, LogLevel.Warning, "Wallet request {Method} {Path} refused with 400: {Reason}")]
    public static partial void WalletBadRequest(ILogger logger, string method, string path, string reason);

    [LoggerMessage(19, LogLevel.Trace, "Wallet {Operation} {IdempotencyKey}: {Status} {ResponseCode}")]
    public static partial void WalletHandled(ILogger logger, string operation, string idempotencyKey, string status, string responseCode);

    [LoggerMessage(20, LogLevel.Error, "Accepting connections failed; the card issuer simulator stops listening")]
    public static partial void AcceptFailed(ILogger logger, Exception exception);

    [LoggerMessage(21, LogLevel.Information, "{Simulator} issuer simulator stopped")]
    public static partial void Stopped(ILogger logger, string simulator);
}
