using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Integration.Tests.Support;

/// <summary>Terminals that speak TLS (optionally with a client certificate): a <see cref="TestTerminal"/> over an <see cref="SslStream"/>.</summary>
internal static class TlsTestTerminal
{
    /// <summary>Connects and runs the handshake; the server certificate must chain to <paramref name="trustedCa"/> and name <paramref name="serverName"/>.</summary>
    public static async Task<TestTerminal> ConnectAsync(IPEndPoint endpoint, Dialect dialect, X509Certificate2 trustedCa, X509Certificate2? clientCertificate, string serverName = "localhost")
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endpoint);
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        try
        {
            using var timeout = new CancellationTokenSource(10_000);
            await stream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = serverName,
                ClientCertificates = clientCertificate is null ? null : [clientCertificate],
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => TrustedBy(trustedCa, certificate, errors),
            }, timeout.Token);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
        return new TestTerminal(stream, dialect, new Framing(FrameHeader.Len2));
    }

    /// <summary>The test's own check of a server certificate: right name, chained to the test CA only.</summary>
    private static bool TrustedBy(X509Certificate2 ca, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build((X509Certificate2)certificate);
    }
}
