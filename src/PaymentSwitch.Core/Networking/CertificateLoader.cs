using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PaymentSwitch.Core.Configuration;

namespace PaymentSwitch.Core.Networking;

/// <summary>
/// Loads the certificates named by <see cref="TlsOptions"/>: this side's certificate with its private key (PEM, or
/// PFX/PKCS#12 with a password) and the CA certificates the other side must chain to. Every failure names the setting
/// and the file, never a password or key material.
/// </summary>
public static class CertificateLoader
{
    /// <summary>
    /// This side's certificate with its private key. <c>.pfx</c>/<c>.p12</c> files are PKCS#12 (password in
    /// <see cref="TlsOptions.CertificatePassword"/>); anything else is PEM, the key in <see cref="TlsOptions.KeyFile"/>
    /// or in the certificate file itself (encrypted when a password is set). Further certificates in the file are
    /// returned as <paramref name="intermediates"/> (sent to the peer to complete the chain).
    /// </summary>
    /// <exception cref="InvalidOperationException">A file is missing, unreadable, or has no private key.</exception>
    public static X509Certificate2 LoadOwnCertificate(TlsOptions tls, string settingPath, out X509Certificate2Collection intermediates)
    {
        string file = tls.CertificateFile ?? throw Problem($"{settingPath}:CertificateFile", "is required when TLS is enabled");
        RequireFile($"{settingPath}:CertificateFile", file);
        if (tls.KeyFile is not null) RequireFile($"{settingPath}:KeyFile", tls.KeyFile);
        intermediates = [];
        X509Certificate2 certificate;
        try
        {
            if (IsPkcs12(file))
            {
                X509Certificate2Collection all = X509CertificateLoader.LoadPkcs12CollectionFromFile(file, tls.CertificatePassword);
                certificate = FirstWithKey(all) ?? throw Problem($"{settingPath}:CertificateFile", $"'{file}' holds no certificate with a private key");
                foreach (X509Certificate2 other in all)
                    if (!ReferenceEquals(other, certificate)) intermediates.Add(other);
                return certificate;
            }
            certificate = string.IsNullOrEmpty(tls.CertificatePassword)
                ? X509Certificate2.CreateFromPemFile(file, tls.KeyFile)
                : X509Certificate2.CreateFromEncryptedPemFile(file, tls.CertificatePassword, tls.KeyFile);
            var inFile = new X509Certificate2Collection();
            inFile.ImportFromPemFile(file);
            foreach (X509Certificate2 other in inFile)
            {
                if (other.Thumbprint == certificate.Thumbprint) other.Dispose();
                else intermediates.Add(other);
            }
        }
        catch (CryptographicException ex)
        {
            throw Problem($"{settingPath}:CertificateFile", $"'{file}' cannot be loaded ({ex.Message}). Check the file format, the key file and the password");
        }
        if (!certificate.HasPrivateKey)
            throw Problem($"{settingPath}:CertificateFile", $"'{file}' has no private key: set {settingPath}:KeyFile");
        if (OperatingSystem.IsWindows())
        {
            // SChannel cannot use an ephemeral PEM key: round-trip through PKCS#12 (Linux and macOS use it as is).
            X509Certificate2 persisted = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
            certificate.Dispose();
            certificate = persisted;
        }
        return certificate;
    }

    /// <summary>The CA certificates (PEM, one or more) that the other side's certificate must chain to.</summary>
    /// <exception cref="InvalidOperationException">The file is missing, unreadable or holds no certificate.</exception>
    public static X509Certificate2Collection LoadTrustedCertificates(string file, string settingName)
    {
        RequireFile(settingName, file);
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(file);
        }
        catch (CryptographicException ex)
        {
            throw Problem(settingName, $"'{file}' cannot be read as PEM certificates ({ex.Message})");
        }
        if (roots.Count == 0) throw Problem(settingName, $"'{file}' holds no PEM certificate");
        return roots;
    }

    private static bool IsPkcs12(string file)
        => file.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".p12", StringComparison.OrdinalIgnoreCase);

    private static X509Certificate2? FirstWithKey(X509Certificate2Collection all)
    {
        foreach (X509Certificate2 c in all)
            if (c.HasPrivateKey) return c;
        return null;
    }

    private static void RequireFile(string settingName, string file)
    {
        if (!File.Exists(file)) throw Problem(settingName, $"'{file}' does not exist");
    }

    private static InvalidOperationException Problem(string settingName, string what) => new($"{settingName}: {what}.");
}
