namespace PaymentSwitch.Core.Issuers;

/// <summary>State of one connection (card) or of the endpoint (wallet) of an issuer link.</summary>
public enum IssuerLinkState
{
    Disconnected,
    Connecting,
    /// <summary>Connected, 0800 sign-on sent, waiting for its 0810.</summary>
    SigningOn,
    /// <summary>Signed on: carries traffic.</summary>
    Ready,
    /// <summary>Taken out of service by an operator.</summary>
    Suspended,
}
