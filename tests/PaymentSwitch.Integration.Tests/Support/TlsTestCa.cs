using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PaymentSwitch.Integration.Tests.Support;

/// <summary>A certificate made by <see cref="TlsTestCa"/>, written to PEM (certificate, key) and PFX files.</summary>
internal sealed record TlsTestCertificate(X509Certificate2 Certificate, string CertificateFile, string KeyFile, string PfxFile, string PfxPassword);

/// <summary>
/// A throw-away certificate authority for TLS tests: a self-signed CA (ECDSA P-256) that issues server and client
/// certificates into a folder, as PEM and PFX, the way an operator would receive them.
/// </summary>
internal sealed class TlsTestCa : IDisposable
{
    private readonly ECDsa _key;
    private int _serial = 1;

    private TlsTestCa(string directory, X509Certificate2 certificate, ECDsa key)
    {
        Directory = directory;
        Certificate = certificate;
        _key = key;
        CertificateFile = Path.Combine(directory, SafeName(certificate.GetNameInfo(X509NameType.SimpleName, false)) + "-ca.pem");
        File.WriteAllText(CertificateFile, certificate.ExportCertificatePem());
    }

    public string Directory { get; }

    /// <summary>The CA certificate (with its key, for issuing).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The CA certificate as PEM: what <c>Tls:TrustedCaFile</c> names.</summary>
    public string CertificateFile { get; }

    public static TlsTestCa Create(string directory, string commonName = "PaymentSwitch Test CA")
    {
        ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}, O=PaymentSwitch tests", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        return new TlsTestCa(directory, certificate, key);
    }

    /// <summary>A server certificate (serverAuth) naming <paramref name="names"/> (DNS names or IP addresses).</summary>
    public TlsTestCertificate IssueServer(string commonName, params string[] names)
        => Issue(commonName, CertificateTrustUsage.Server, names);

    /// <summary>A client certificate (clientAuth) for mutual TLS.</summary>
    public TlsTestCertificate IssueClient(string commonName) => Issue(commonName, CertificateTrustUsage.Client, []);

    private TlsTestCertificate Issue(string commonName, CertificateTrustUsage usage, string[] names)
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}, O=PaymentSwitch tests", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new System.Security.Cryptography.Oid(usage == CertificateTrustUsage.Server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        if (names.Length > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (string name in names)
            {
                if (IPAddress.TryParse(name, out IPAddress? address)) san.AddIpAddress(address);
                else san.AddDnsName(name);
            }
            request.CertificateExtensions.Add(san.Build());
        }
        byte[] serial = BitConverter.GetBytes(Interlocked.Increment(ref _serial));
        using X509Certificate2 withoutKey = request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_key),
            DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(30), serial);
        X509Certificate2 certificate = withoutKey.CopyWithPrivateKey(key);

        string stem = Path.Combine(Directory, SafeName(commonName));
        string certificateFile = stem + ".crt.pem";
        string keyFile = stem + ".key.pem";
        string pfxFile = stem + ".pfx";
        const string password = "test-only-password";
        File.WriteAllText(certificateFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllBytes(pfxFile, certificate.Export(X509ContentType.Pfx, password));
        return new TlsTestCertificate(certificate, certificateFile, keyFile, pfxFile, password);
    }

    private static string SafeName(string name) => string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-'));

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }

    private enum CertificateTrustUsage
    {
        Server,
        Client,
    }
}
