using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using PaymentSwitch.Core.Logging;
using PaymentSwitch.Core.Networking;

namespace PaymentSwitch.Core.Acquiring;

/// <summary>The TLS handshake of an acquirer connection (server side).</summary>
public sealed partial class AcquirerConnection
{
    /// <summary>The first byte of every TLS record that starts a handshake (ContentType handshake = 22).</summary>
    private const int TlsHandshakeRecord = 0x16;

    private string? _certificateProblem;

    /// <summary>
    /// Waits for the client's first bytes, refuses a peer that does not start a TLS handshake (plain TCP on a TLS port),
    /// then runs the handshake. The sweep bounds the whole by <c>Tls:HandshakeTimeoutMs</c>. False (and the connection
    /// closed with the reason logged, never a secret) when it fails.
    /// </summary>
    private async Task<bool> AuthenticateAsync(TlsTransport tls)
    {
        try
        {
            await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
            int first = PeekFirstByte();
            if (first < 0)
            {
                if (!IsClosed) _listener.LogClosedByPeer(this);
                Close(ConnectionEvent.None, null);
                return false;
            }
            if (first != TlsHandshakeRecord)
            {
                Close(ConnectionEvent.PlainTcpOnTlsPort,
                    $"the first byte 0x{first:X2} does not start a TLS handshake: the peer speaks plain TCP (or another protocol) to this TLS port");
                return false;
            }
            await tls.Stream.AuthenticateAsServerAsync(_listener.Tls!.CreateOptions(ValidateClientCertificate), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Anything a hostile or broken client can cause ends here: this connection only.
            if (!IsClosed) Close(ConnectionEvent.TlsHandshakeFailed, _certificateProblem ?? Describe(ex));
            return false;
        }
        if (IsClosed) return false; // the sweep timed it out as it finished
        LogEstablished(tls.Stream);
        return true;
    }

    private int PeekFirstByte()
    {
        Span<byte> first = stackalloc byte[1];
        return _socket.Receive(first, SocketFlags.Peek) == 0 ? -1 : first[0];
    }

    private bool ValidateClientCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        string? problem = _listener.Tls!.CheckClientCertificate(certificate, chain, errors);
        _certificateProblem = problem;
        return problem is null;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void LogEstablished(SslStream stream)
    {
        if (!_listener.Logger.IsEnabled(LogLevel.Debug) || !_listener.LogLimiter.TryAcquire(ConnectionEvent.Opened)) return;
        string client = stream.RemoteCertificate is { } certificate ? $"'{certificate.Subject}'" : "none";
        SwitchLog.AcquirerTlsEstablished(_listener.Logger, Name, RemoteText, stream.SslProtocol.ToString(), client);
    }

    private static string Describe(Exception ex)
        => ex.InnerException is null || ex.InnerException.Message == ex.Message
            ? $"{ex.GetType().Name}: {ex.Message}"
            : $"{ex.GetType().Name}: {ex.Message} ({ex.InnerException.Message})";
}
