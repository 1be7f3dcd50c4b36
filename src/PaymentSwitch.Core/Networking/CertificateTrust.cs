using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PaymentSwitch.Core.Networking;

/// <summary>
/// Decides whether the other side's certificate is trusted: chained to the configured CA certificates only (a custom
/// root trust, the system store plays no part), or — without a CA file — to the system store as the TLS stack
/// judged it. The answer is a reason text (for the log) or null when trusted.
/// </summary>
internal sealed class CertificateTrust
{
    /// <summary>Extended key usage a server certificate needs (TLS Web Server Authentication).</summary>
    public static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1", "Server Authentication");

    /// <summary>Extended key usage a client certificate needs (TLS Web Client Authentication).</summary>
    public static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2", "Client Authentication");

    private readonly X509Certificate2Collection? _roots;
    private readonly Oid _usage;

    /// <param name="roots">CA certificates to trust; null trusts the system store.</param>
    /// <param name="usage">The extended key usage the other side's certificate must allow.</param>
    public CertificateTrust(X509Certificate2Collection? roots, Oid usage)
    {
        _roots = roots;
        _usage = usage;
    }

    public bool UsesCustomRoots => _roots is not null;

    /// <summary>Null when <paramref name="certificate"/> is trusted; otherwise why not.</summary>
    /// <param name="checkName">Whether a name mismatch that the TLS stack found counts (a client checking its server).</param>
    public string? Check(X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors, bool checkName)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
            return "no certificate was presented";
        if (checkName && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            return $"the certificate '{certificate.Subject}' does not name the expected host";
        if (_roots is null)
            return errors == SslPolicyErrors.None ? null : $"the certificate '{certificate.Subject}' does not chain to a trusted root in the system store ({errors})";

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(_usage);
        if (presented is not null) chain.ChainPolicy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
        X509Certificate2 leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        try
        {
            if (chain.Build(leaf)) return null;
            return $"the certificate '{leaf.Subject}' is not trusted: {Describe(chain)}";
        }
        finally
        {
            if (!ReferenceEquals(leaf, certificate)) leaf.Dispose();
        }
    }

    private static string Describe(X509Chain chain)
    {
        X509ChainStatusFlags flags = X509ChainStatusFlags.NoError;
        foreach (X509ChainStatus status in chain.ChainStatus) flags |= status.Status;
        return flags == X509ChainStatusFlags.NoError ? "the chain does not end at a configured CA" : flags.ToString();
    }
}
