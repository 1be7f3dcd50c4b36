using System.Globalization;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using PaymentSwitch.Core.Configuration;

namespace PaymentSwitch.Core.Networking;

/// <summary>
/// The server side of TLS for one acquirer listener, loaded once at start: the server certificate (with its chain,
/// shared by every connection), whether a client certificate is required, and which CA it must chain to.
/// </summary>
internal sealed class TlsServerSetup
{
    private readonly SslStreamCertificateContext _certificate;

    private TlsServerSetup(SslStreamCertificateContext certificate, bool requireClientCertificate, CertificateTrust clientTrust, int handshakeTimeoutMs)
    {
        _certificate = certificate;
        RequireClientCertificate = requireClientCertificate;
        ClientTrust = clientTrust;
        HandshakeTimeoutMs = handshakeTimeoutMs;
    }

    public bool RequireClientCertificate { get; }

    public CertificateTrust ClientTrust { get; }

    /// <summary>How long a connection may take from accept to a finished handshake.</summary>
    public int HandshakeTimeoutMs { get; }

    public string CertificateSubject => _certificate.TargetCertificate.Subject;

    public string CertificateNotAfter => _certificate.TargetCertificate.NotAfter.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>Loads the files named by <paramref name="tls"/>; throws <see cref="InvalidOperationException"/> naming the setting on error.</summary>
    public static TlsServerSetup Create(TlsOptions tls, string settingPath)
    {
        X509Certificate2 certificate = CertificateLoader.LoadOwnCertificate(tls, settingPath, out X509Certificate2Collection intermediates);
        X509Certificate2Collection? roots = string.IsNullOrEmpty(tls.TrustedCaFile)
            ? null
            : CertificateLoader.LoadTrustedCertificates(tls.TrustedCaFile, $"{settingPath}:TrustedCaFile");
        var context = SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
        return new TlsServerSetup(context, tls.RequireClientCertificate, new CertificateTrust(roots, CertificateTrust.ClientAuthentication), tls.HandshakeTimeoutMs);
    }

    /// <summary>Options for one handshake; <paramref name="validate"/> is the connection's own check (it records why it refused).</summary>
    public SslServerAuthenticationOptions CreateOptions(RemoteCertificateValidationCallback validate) => new()
    {
        ServerCertificateContext = _certificate,
        ClientCertificateRequired = RequireClientCertificate,
        RemoteCertificateValidationCallback = validate,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13, // never older, whatever the system allows
        AllowRenegotiation = false,
    };

    /// <summary>Null when the client's certificate (or its absence) is acceptable; otherwise why not.</summary>
    public string? CheckClientCertificate(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
            return RequireClientCertificate ? "the client presented no certificate, and this listener requires one (mutual TLS)" : null;
        return ClientTrust.Check(certificate, chain, errors, checkName: false);
    }
}
