namespace PaymentSwitch.Core.Issuers;

/// <summary>State of an issuer's circuit breaker.</summary>
public enum CircuitState
{
    /// <summary>Requests flow to the issuer.</summary>
    Closed,
    /// <summary>The issuer is failing: requests are answered at once (stand-in or 91) without waiting for it.</summary>
    Open,
    /// <summary>Probing: one probe decides whether to close again.</summary>
    HalfOpen,
}
