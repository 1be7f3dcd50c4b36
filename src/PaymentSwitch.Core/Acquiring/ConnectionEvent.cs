namespace PaymentSwitch.Core.Acquiring;

/// <summary>
/// Why an acquirer connection was opened, refused or closed (and other per-connection events worth a log line).
/// Each has its own log budget (<see cref="Internal.ConnectionLogLimiter"/>), so one flood cannot drown the others.
/// </summary>
internal enum ConnectionEvent
{
    /// <summary>Closed without anything to report (the end of a connection already explained).</summary>
    None,
    Opened,
    ClosedByPeer,
    /// <summary>Refused: the listener already holds <c>MaxConnections</c>.</summary>
    ListenerFull,
    /// <summary>Refused: the source address already holds <c>MaxConnectionsPerSource</c>.</summary>
    SourceLimit,
    /// <summary>Nothing received for <c>IdleTimeoutMs</c> with nothing in flight.</summary>
    IdleTimeout,
    /// <summary>A frame started but was not complete within <c>FrameTimeoutMs</c> (slow sender).</summary>
    FrameTimeout,
    /// <summary>The length header announced more than <c>MaxFrameBytes</c>.</summary>
    FrameTooLarge,
    InvalidFrameHeader,
    PeerClosedMidFrame,
    /// <summary>Replies not read past <c>MaxWriteBufferBytes</c>.</summary>
    SlowReader,
    SendFailed,
    ReceiveFailed,
    TlsHandshakeTimeout,
    TlsHandshakeFailed,
    PlainTcpOnTlsPort,
    /// <summary>Closed by the engine for a protocol fault (e.g. an unreadable message without an MTI).</summary>
    ProtocolError,
    /// <summary>For the engine: a request answered 30 (format error).</summary>
    FormatError,
    /// <summary>For the engine: a reply that could not be written.</summary>
    ReplyDropped,
    /// <summary>For the engine: a message that is not a request or advice.</summary>
    UnexpectedMti,
    AcceptFailed,
    InternalError,
}

/// <summary>Log texts of <see cref="ConnectionEvent"/> (no allocation, no reflection).</summary>
internal static class ConnectionEventNames
{
    private static readonly string[] s_names =
    [
        "none", "opened", "closed-by-peer", "listener-full", "source-limit", "idle-timeout", "frame-timeout", "frame-too-large",
        "invalid-frame-header", "peer-closed-mid-frame", "slow-reader", "send-failed", "receive-failed", "tls-handshake-timeout",
        "tls-handshake-failed", "plain-tcp-on-tls-port", "protocol-error", "format-error", "reply-dropped", "unexpected-mti",
        "accept-failed", "internal-error",
    ];

    public const int Count = (int)ConnectionEvent.InternalError + 1;

    public static string Name(ConnectionEvent e) => s_names[(int)e];
}
