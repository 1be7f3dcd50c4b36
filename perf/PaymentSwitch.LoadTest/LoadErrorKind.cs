namespace PaymentSwitch.LoadTest;

/// <summary>What went wrong with a request or a connection. Any of these makes a run fail.</summary>
public enum LoadErrorKind
{
    /// <summary>A connection could not be opened (refused, unreachable, connect timeout).</summary>
    ConnectFailed,
    /// <summary>The peer closed the connection or it broke (a send or receive failed); counted once per closure.</summary>
    ConnectionClosed,
    /// <summary>A request was in flight on a connection that closed: its outcome is unknown.</summary>
    InFlightLost,
    /// <summary>A request was due while its connection was down, so it was never sent.</summary>
    NotConnected,
    /// <summary>No answer within the timeout (counted from the actual send).</summary>
    Timeout,
    /// <summary>A request that was due before the end of the schedule was still unsent when the run ended.</summary>
    Unsent,
    /// <summary>The peer sent a frame header that is not valid or announces a frame over the maximum; the connection is closed.</summary>
    BadFrame,
    /// <summary>An answer is not a valid message of the dialect.</summary>
    ParseError,
    /// <summary>An answer carries no STAN (DE11), or one that matches no request in flight on its connection.</summary>
    UnknownStan,
    /// <summary>An answer's MTI is not the response MTI of its request.</summary>
    UnexpectedMti,
    /// <summary>An answer lacks a field it must echo, or lacks DE39.</summary>
    MissingField,
    /// <summary>An echoed field differs from what was sent.</summary>
    FieldMismatch,
    /// <summary>DE39 is not one of the response codes the switch sets.</summary>
    InvalidResponseCode,
    /// <summary>
    /// DE39 is valid but not the expected one: anything but 15 for an unknown BIN, or 15 (no such issuer) for a
    /// BIN given as a card or wallet BIN.
    /// </summary>
    UnexpectedResponseCode,
    /// <summary>
    /// DE39 91 (issuer unavailable, timed out, or the request shed) or 96 (system malfunction): a valid answer that
    /// says the switch failed to process the request. Not counted when <see cref="LoadTestOptions.AcceptSystemFailureCodes"/> is set.
    /// </summary>
    SystemFailureAnswer,
}
