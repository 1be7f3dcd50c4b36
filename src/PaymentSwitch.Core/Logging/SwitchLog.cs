using Microsoft.Extensions.Logging;

namespace PaymentSwitch.Core.Logging;

/// <summary>
/// Every log line the switch writes, in one place. None carries a full card number: masked PANs only (first 6,
/// last 4). Warnings and errors say what the operator should do.
/// </summary>
internal static partial class SwitchLog
{
    [LoggerMessage(1, LogLevel.Information, "Acquirer listener '{Name}' listening on {Endpoint} ({Dialect}, {Framing})")]
    public static partial void ListenerStarted(ILogger logger, string name, string endpoint, string dialect, string framing);

    [LoggerMessage(2, LogLevel.Warning, "Acquirer listener '{Name}': connection from {Remote} refused: {Reason}")]
    public static partial void ConnectionRefused(ILogger logger, string name, string remote, string reason);

    [LoggerMessage(3, LogLevel.Warning, "Acquirer '{Name}' connection {Remote} closed: {Reason}")]
    public static partial void ConnectionClosedWithReason(ILogger logger, string name, string remote, string reason);

    [LoggerMessage(4, LogLevel.Debug, "Acquirer '{Name}' connection {Remote} opened")]
    public static partial void ConnectionOpened(ILogger logger, string name, string remote);

    [LoggerMessage(5, LogLevel.Debug, "Acquirer '{Name}' connection {Remote} closed by the peer")]
    public static partial void ConnectionClosed(ILogger logger, string name, string remote);

    [LoggerMessage(6, LogLevel.Warning, "Acquirer '{Name}' {Remote}: format error in MTI {Mti}: {Error}; answered DE39 = 30")]
    public static partial void FormatError(ILogger logger, string name, string remote, string mti, string error);

    [LoggerMessage(7, LogLevel.Warning, "Acquirer '{Name}' {Remote}: unexpected MTI {Mti} from an acquirer ignored (only requests and advices are accepted)")]
    public static partial void UnexpectedMti(ILogger logger, string name, string remote, string mti);

    [LoggerMessage(10, LogLevel.Information, "Issuer '{Issuer}' connection to {Endpoint} signed on")]
    public static partial void IssuerSignedOn(ILogger logger, string issuer, string endpoint);

    [LoggerMessage(11, LogLevel.Warning, "Issuer '{Issuer}' connection to {Endpoint} lost: {Reason}; reconnecting in {DelayMs} ms. Check that the issuer host is up and reachable.")]
    public static partial void IssuerConnectionLost(ILogger logger, string issuer, string endpoint, string reason, int delayMs);

    [LoggerMessage(12, LogLevel.Warning, "Issuer '{Issuer}' connection to {Endpoint}: sign-on refused or unanswered ({Reason}); reconnecting. Check the issuer's sign-on configuration.")]
    public static partial void IssuerSignOnFailed(ILogger logger, string issuer, string endpoint, string reason);

    [LoggerMessage(13, LogLevel.Warning, "Issuer '{Issuer}' answered a request the switch no longer waits for (STAN {Stan}, MTI {Mti}, DE39 {ResponseCode}): the answer came after the timeout")]
    public static partial void LateAnswer(ILogger logger, string issuer, int stan, string mti, string responseCode);

    [LoggerMessage(14, LogLevel.Warning, "Issuer '{Issuer}' sent a malformed message ({Error}); closing that connection. Check the issuer's dialect and framing settings.")]
    public static partial void IssuerFormatError(ILogger logger, string issuer, string error);

    [LoggerMessage(15, LogLevel.Warning, "Issuer '{Issuer}' answered with an invalid or missing DE39; the acquirer gets 96")]
    public static partial void IssuerInvalidResponseCode(ILogger logger, string issuer);

    [LoggerMessage(16, LogLevel.Warning, "Wallet issuer '{Issuer}' call failed: {Reason}")]
    public static partial void WalletCallFailed(ILogger logger, string issuer, string reason);

    [LoggerMessage(20, LogLevel.Error, "Journal write failed for a transaction to '{Issuer}': {Reason}. The acquirer gets 96. Check the journal disk.")]
    public static partial void JournalFailed(ILogger logger, string issuer, string reason);

    [LoggerMessage(21, LogLevel.Warning, "Reply to acquirer '{Name}' {Remote} could not be written (connection closed or not reading); MTI {Mti} DE39 {ResponseCode} pan {MaskedPan}")]
    public static partial void ReplyDropped(ILogger logger, string name, string remote, string mti, string responseCode, string maskedPan);

    // 100-149: acquirer connection bounds and TLS (network layer).

    [LoggerMessage(EventId = 100, Message = "Acquirer '{Name}' connection {Remote} closed ({Reason}): {Detail}")]
    public static partial void AcquirerConnectionClosedFor(ILogger logger, LogLevel level, string name, string remote, string reason, string detail);

    [LoggerMessage(101, LogLevel.Warning, "Acquirer listener '{Name}': connection from {Remote} refused ({Reason}): {Detail}")]
    public static partial void AcquirerConnectionRefusedFor(ILogger logger, string name, string remote, string reason, string detail);

    [LoggerMessage(102, LogLevel.Warning, "Acquirer '{Name}': {Count} more '{Reason}' connection events in the last {WindowMs} ms were not logged (at most {Limit} a second are logged for each reason)")]
    public static partial void AcquirerConnectionEventsNotLogged(ILogger logger, string name, int count, string reason, long windowMs, int limit);

    [LoggerMessage(103, LogLevel.Debug, "Acquirer '{Name}' connection {Remote}: TLS {Protocol} established, client certificate {ClientCertificate}")]
    public static partial void AcquirerTlsEstablished(ILogger logger, string name, string remote, string protocol, string clientCertificate);

    [LoggerMessage(104, LogLevel.Information, "Acquirer listener '{Name}' uses TLS: certificate '{Subject}' valid until {NotAfter}; client certificate {ClientCertificate}; handshake within {HandshakeTimeoutMs} ms")]
    public static partial void AcquirerListenerTls(ILogger logger, string name, string subject, string notAfter, string clientCertificate, int handshakeTimeoutMs);

    [LoggerMessage(105, LogLevel.Information, "Acquirer listener '{Name}' bounds: {MaxConnections} connections, {MaxConnectionsPerSource} per source address, idle timeout {IdleTimeoutMs} ms, frame timeout {FrameTimeoutMs} ms, frames up to {MaxFrameBytes} bytes; checked every {SweepIntervalMs} ms")]
    public static partial void AcquirerListenerBounds(ILogger logger, string name, int maxConnections, int maxConnectionsPerSource, int idleTimeoutMs, int frameTimeoutMs, int maxFrameBytes, int sweepIntervalMs);

    [LoggerMessage(110, LogLevel.Warning, "Issuer '{Issuer}' connection to {Endpoint}: TLS handshake failed: {Reason}. Check the issuer's certificate and Issuers:…:Tls (TrustedCaFile, ServerName, CertificateFile).")]
    public static partial void IssuerTlsHandshakeFailed(ILogger logger, string issuer, string endpoint, string reason);

    [LoggerMessage(111, LogLevel.Information, "Issuer '{Issuer}' connection to {Endpoint}: TLS {Protocol} established with '{Subject}'")]
    public static partial void IssuerTlsEstablished(ILogger logger, string issuer, string endpoint, string protocol, string subject);

    [LoggerMessage(112, LogLevel.Warning, "A {Mti} from acquirer '{Acquirer}' becomes larger than issuer '{Issuer}' frames ({MaxFrameBytes} bytes) once the switch's fields are added; not sent, answered 30. Raise that issuer's MaxFrameBytes if its host accepts larger messages.")]
    public static partial void IssuerRequestTooLarge(ILogger logger, string issuer, string acquirer, string mti, int maxFrameBytes);

    [LoggerMessage(113, LogLevel.Warning, "Issuer '{Issuer}' answered ({ResponseCode}) with {Bytes} bytes, more than acquirer '{Acquirer}' frames allow ({MaxFrameBytes}); a decline goes back without the issuer's extra fields, an approval is answered 96 and reversed. Raise that acquirer's MaxFrameBytes if its terminals accept larger messages.")]
    public static partial void AnswerTooLarge(ILogger logger, string issuer, string acquirer, int bytes, int maxFrameBytes, string responseCode);

    [LoggerMessage(114, LogLevel.Warning, "Issuer '{Issuer}' answered STAN {Stan} with {Mti}, which does not answer the {SentMti} waiting under that STAN (or it was not sent yet); ignored, the request times out and is reversed")]
    public static partial void MismatchedAnswer(ILogger logger, string issuer, int stan, string mti, string sentMti);

    [LoggerMessage(115, LogLevel.Error, "Issuer '{Issuer}' connection to {Endpoint} failed while handling an answer: {Error}; reconnecting. Requests in flight on it time out and are reversed.")]
    public static partial void IssuerConnectionFailed(ILogger logger, string issuer, string endpoint, string error);

    [LoggerMessage(116, LogLevel.Warning, "Issuer '{Issuer}' approved card {MaskedPan}, but acquirer '{Acquirer}' can no longer receive the answer (connection closed or not reading); the approval is reversed at the issuer")]
    public static partial void UndeliveredApprovalReversed(ILogger logger, string issuer, string acquirer, string maskedPan);
}
