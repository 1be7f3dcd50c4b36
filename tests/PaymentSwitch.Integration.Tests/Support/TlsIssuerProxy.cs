using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace PaymentSwitch.Integration.Tests.Support;

/// <summary>
/// A TLS front for a plain-TCP card issuer (the simulator): accepts TLS only (optionally requiring a client certificate
/// from the test CA), then relays bytes both ways to the issuer. What the switch's link sees is a TLS issuer.
/// </summary>
internal sealed class TlsIssuerProxy : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly IPEndPoint _upstream;
    private readonly X509Certificate2 _certificate;
    private readonly X509Certificate2 _clientCa;
    private readonly bool _requireClientCertificate;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentBag<Socket> _sockets = [];
    private readonly Task _acceptLoop;
    private int _handshakes;
    private int _failures;

    public TlsIssuerProxy(IPEndPoint upstream, X509Certificate2 certificate, X509Certificate2 clientCa, bool requireClientCertificate)
    {
        _upstream = upstream;
        _certificate = certificate;
        _clientCa = clientCa;
        _requireClientCertificate = requireClientCertificate;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        _acceptLoop = AcceptLoopAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>Handshakes that completed (each one then relayed to the issuer).</summary>
    public int Handshakes => Volatile.Read(ref _handshakes);

    /// <summary>Handshakes that failed.</summary>
    public int Failures => Volatile.Read(ref _failures);

    /// <summary>Subjects of the client certificates presented by completed handshakes.</summary>
    public ConcurrentQueue<string> ClientSubjects { get; } = new();

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _sockets.Add(client);
            _ = Task.Run(() => RelayAsync(client));
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var tls = new SslStream(new NetworkStream(client, ownsSocket: true));
        try
        {
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = _certificate,
                ClientCertificateRequired = _requireClientCertificate,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (_, certificate, _, _) => !_requireClientCertificate || ClientTrusted(certificate),
            }, _stopping.Token);
        }
        catch (Exception)
        {
            Interlocked.Increment(ref _failures);
            await tls.DisposeAsync();
            return;
        }
        Interlocked.Increment(ref _handshakes);
        if (tls.RemoteCertificate is not null) ClientSubjects.Enqueue(tls.RemoteCertificate.Subject);
        var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _sockets.Add(upstream);
        try
        {
            await upstream.ConnectAsync(_upstream, _stopping.Token);
            await using var plain = new NetworkStream(upstream, ownsSocket: true);
            Task up = CopyAsync(tls, plain);
            Task down = CopyAsync(plain, tls);
            await Task.WhenAny(up, down);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // one side went away
        }
        finally
        {
            upstream.Dispose();
            await tls.DisposeAsync();
        }
    }

    private bool ClientTrusted(X509Certificate? certificate)
    {
        if (certificate is null) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_clientCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build((X509Certificate2)certificate);
    }

    private async Task CopyAsync(Stream from, Stream to)
    {
        byte[] buffer = new byte[16384];
        try
        {
            while (true)
            {
                int read = await from.ReadAsync(buffer, _stopping.Token);
                if (read == 0) break;
                await to.WriteAsync(buffer.AsMemory(0, read), _stopping.Token);
                await to.FlushAsync(_stopping.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // closed
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _listener.Dispose();
        foreach (Socket socket in _sockets) socket.Dispose();
        await _acceptLoop;
        _stopping.Dispose();
    }
}
