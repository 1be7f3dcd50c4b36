namespace PaymentSwitch.Core.Configuration;

/// <summary>
/// TLS settings for an acquirer listener (server side) or a card issuer link (client side). Certificates come from
/// files named here (PEM or PFX); paths are relative to the config file.
/// </summary>
public sealed class TlsOptions
{
    /// <summary>Use TLS. A listener also needs <see cref="CertificateFile"/>.</summary>
    public bool Enabled { get; set; }

    /// <summary>This side's certificate: the server certificate on a listener, the client certificate on a link (optional there).</summary>
    public string? CertificateFile { get; set; }

    /// <summary>Private key file when <see cref="CertificateFile"/> is a PEM certificate without the key.</summary>
    public string? KeyFile { get; set; }

    /// <summary>Password of a PFX file. Prefer the environment for it.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>CA certificate (PEM) that the other side's certificate must chain to; empty uses the system store.</summary>
    public string? TrustedCaFile { get; set; }

    /// <summary>Listener: require a client certificate (mutual TLS) that chains to <see cref="TrustedCaFile"/>.</summary>
    public bool RequireClientCertificate { get; set; }

    /// <summary>Link: the name expected in the issuer's certificate (defaults to the endpoint host).</summary>
    public string? ServerName { get; set; }

    /// <summary>How long a TLS handshake may take.</summary>
    public int HandshakeTimeoutMs { get; set; } = 5000;
}
