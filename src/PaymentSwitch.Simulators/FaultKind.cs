namespace PaymentSwitch.Simulators;

/// <summary>What a simulated issuer does wrong (see <see cref="FaultMode"/>).</summary>
public enum FaultKind : byte
{
    /// <summary>Behave: answer every request.</summary>
    None,

    /// <summary>Read and book requests, never answer (the answer is lost).</summary>
    Silent,

    /// <summary>Book requests and answer each one <see cref="FaultMode.DelayMs"/> late.</summary>
    Late,

    /// <summary>Book the request, then close the connection instead of answering (every <see cref="FaultMode.EveryNth"/> request).</summary>
    Drop,

    /// <summary>Book the request, then answer with bytes that are not a valid message (a framed random block, or a non-JSON body).</summary>
    Garbage,

    /// <summary>Refuse without booking: the card issuer answers DE39 = 96, the wallet issuer HTTP 503.</summary>
    Error,
}
