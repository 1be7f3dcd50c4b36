using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Integration.Tests.Support;

/// <summary>A terminal that speaks TLS (optionally with a client certificate) and framed ISO 8583 over a real socket.</summary>
internal sealed class TlsTestTerminal : IAsyncDisposable
{
    private readonly SslStream _stream;
    private readonly PipeReader _reader;
    private readonly Dialect _dialect;
    private readonly Framing _framing = new(FrameHeader.Len2);

    private TlsTestTerminal(SslStream stream, Dialect dialect)
    {
        _stream = stream;
        _reader = PipeReader.Create(stream);
        _dialect = dialect;
        Builder = new IsoMessageBuilder(dialect);
    }

    public IsoMessageBuilder Builder { get; }

    public SslStream Stream => _stream;

    /// <summary>Connects and runs the handshake; the server certificate must chain to <paramref name="trustedCa"/> and name <paramref name="serverName"/>.</summary>
    public static async Task<TlsTestTerminal> ConnectAsync(IPEndPoint endpoint, Dialect dialect, X509Certificate2 trustedCa, X509Certificate2? clientCertificate, string serverName = "localhost")
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
        return new TlsTestTerminal(stream, dialect);
    }

    /// <summary>The test's own check of a server certificate: right name, chained to the test CA only.</summary>
    public static bool TrustedBy(X509Certificate2 ca, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build((X509Certificate2)certificate);
    }

    public async Task SendAsync()
    {
        var writer = new ArrayBufferWriter<byte>();
        Builder.WriteFrame(writer, _framing);
        await _stream.WriteAsync(writer.WrittenMemory);
        await _stream.FlushAsync();
    }

    /// <summary>Reads the next reply; null when the switch closed the connection.</summary>
    public async Task<IsoMessage?> ReceiveAsync(int timeoutMs = 10_000)
    {
        using var timeout = new CancellationTokenSource(timeoutMs);
        while (true)
        {
            ReadResult result = await _reader.ReadAsync(timeout.Token);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (_framing.TryReadFrame(ref buffer, out ReadOnlySequence<byte> frame, out _, out _) == FrameStatus.Complete)
            {
                byte[] copy = frame.ToArray();
                _reader.AdvanceTo(buffer.Start);
                var message = new IsoMessage();
                if (!message.TryParse(copy, _dialect, out ParseError error)) throw new InvalidDataException("reply does not parse: " + error);
                return message;
            }
            _reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted) return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync();
        await _stream.DisposeAsync();
    }
}
