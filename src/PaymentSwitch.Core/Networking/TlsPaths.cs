using PaymentSwitch.Core.Configuration;

namespace PaymentSwitch.Core.Networking;

/// <summary>Makes the certificate paths of every TLS setting absolute, relative to the configuration file's folder.</summary>
public static class TlsPaths
{
    /// <summary>
    /// Resolves <see cref="TlsOptions.CertificateFile"/>, <see cref="TlsOptions.KeyFile"/> and
    /// <see cref="TlsOptions.TrustedCaFile"/> of every acquirer and issuer against <paramref name="baseDirectory"/>
    /// (absolute paths stay as they are). Call once, before the listeners and links are built.
    /// </summary>
    public static void Resolve(SwitchOptions options, string baseDirectory)
    {
        foreach (AcquirerOptions acquirer in options.Acquirers) Resolve(acquirer.Tls, baseDirectory);
        foreach (IssuerOptions issuer in options.Issuers) Resolve(issuer.Tls, baseDirectory);
    }

    /// <summary>Resolves the paths of one <see cref="TlsOptions"/> against <paramref name="baseDirectory"/>.</summary>
    public static void Resolve(TlsOptions tls, string baseDirectory)
    {
        tls.CertificateFile = Full(tls.CertificateFile, baseDirectory);
        tls.KeyFile = Full(tls.KeyFile, baseDirectory);
        tls.TrustedCaFile = Full(tls.TrustedCaFile, baseDirectory);
    }

    private static string? Full(string? path, string baseDirectory)
        => string.IsNullOrWhiteSpace(path) ? null : Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(baseDirectory, path));
}
