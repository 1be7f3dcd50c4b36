using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using PaymentSwitch.Core.Configuration;

namespace PaymentSwitch.Core.Networking;

/// <summary>
/// The client side of TLS for a card issuer link: the name the issuer's certificate must carry, the CA it must chain
/// to (or the system store), and this switch's own client certificate when the issuer wants one.
/// </summary>
internal sealed class TlsClientSetup
{
    private readonly SslStreamCertificateContext? _clientCertificate;
    private readonly CertificateTrust _serverTrust;

    private TlsClientSetup(string serverName, SslStreamCertificateContext? clientCertificate, CertificateTrust serverTrust, int handshakeTimeoutMs)
    {
        ServerName = serverName;
        _clientCertificate = clientCertificate;
        _serverTrust = serverTrust;
        HandshakeTimeoutMs = handshakeTimeoutMs;
    }

    /// <summary>The host name (or address) the issuer's certificate must name.</summary>
    public string ServerName { get; }

    public int HandshakeTimeoutMs { get; }

    /// <summary>Loads the files named by <paramref name="tls"/>; throws <see cref="InvalidOperationException"/> naming the setting on error.</summary>
    public static TlsClientSetup Create(TlsOptions tls, string defaultServerName, string settingPath)
    {
        SslStreamCertificateContext? own = null;
        if (!string.IsNullOrEmpty(tls.CertificateFile))
        {
            X509Certificate2 certificate = CertificateLoader.LoadOwnCertificate(tls, settingPath, out X509Certificate2Collection intermediates);
            own = SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
        }
        X509Certificate2Collection? roots = string.IsNullOrEmpty(tls.TrustedCaFile)
            ? null
            : CertificateLoader.LoadTrustedCertificates(tls.TrustedCaFile, $"{settingPath}:TrustedCaFile");
        string serverName = string.IsNullOrWhiteSpace(tls.ServerName) ? defaultServerName : tls.ServerName;
        return new TlsClientSetup(serverName, own, new CertificateTrust(roots, CertificateTrust.ServerAuthentication), tls.HandshakeTimeoutMs);
    }

    public SslClientAuthenticationOptions CreateOptions(RemoteCertificateValidationCallback validate) => new()
    {
        TargetHost = ServerName,
        ClientCertificateContext = _clientCertificate,
        RemoteCertificateValidationCallback = validate,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13, // never older, whatever the system allows
        AllowRenegotiation = false,
    };

    /// <summary>Null when the issuer's certificate is trusted and names <see cref="ServerName"/>; otherwise why not.</summary>
    public string? CheckServerCertificate(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        => _serverTrust.Check(certificate, chain, errors, checkName: true);
}
