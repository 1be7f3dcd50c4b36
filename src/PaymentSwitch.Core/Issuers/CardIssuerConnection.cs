using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Core.Configuration;
using PaymentSwitch.Core.Issuers.Internal;
using PaymentSwitch.Core.Logging;
using PaymentSwitch.Core.Networking;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Core.Issuers;

/// <summary>
/// One TCP connection of a card issuer link: connect (with doubling backoff), sign on with 0800/001, carry traffic
/// once the 0810 approves it, echo (0800/301) when idle, and reconnect when anything goes wrong. Answers are matched
/// to requests through the issuer's pending table by the switch's STAN, so they may come in any order.
/// </summary>
/// <remarks>
/// With <c>Tls:Enabled</c> the connection runs a TLS handshake (bounded by <c>Tls:HandshakeTimeoutMs</c>) before the
/// sign-on: the issuer's certificate must name <c>Tls:ServerName</c> (default: the endpoint's host) and chain to
/// <c>Tls:TrustedCaFile</c> (or the system store); the switch presents <c>Tls:CertificateFile</c> when set. A failed
/// handshake is logged with its reason and retried with the usual backoff.
/// </remarks>
internal sealed class CardIssuerConnection
{
    private readonly CardIssuerLink _link;
    private readonly IPEndPoint _endpoint;
    private readonly IsoMessage _message = new();
    private readonly byte[] _scratch;
    private readonly TlsClientSetup? _tls;
    private int _state = (int)IssuerLinkState.Disconnected;
    private ConnectionTransport? _transport;
    private string? _certificateProblem;
    private OutboundBuffer? _outbound;
    private string? _lastError;
    private long _lastReceived;
    private long _signOnSentAt;
    private int _signOnStan;
    private long _echoSentAt;
    private int _echoStan;

    [ThreadStatic] private static IsoMessageBuilder? t_builder;

    public CardIssuerConnection(CardIssuerLink link, IPEndPoint endpoint)
    {
        _link = link;
        _endpoint = endpoint;
        _scratch = new byte[link.Framing.MaxFrameBytes];
        if (link.Options.Tls.Enabled)
            _tls = TlsClientSetup.Create(link.Options.Tls, HostOf(link.Options, endpoint), $"Issuers:{link.Options.Id}:Tls");
    }

    /// <summary>The host part of the configured endpoint that parsed to <paramref name="endpoint"/> (for the TLS server name).</summary>
    private static string HostOf(IssuerOptions options, IPEndPoint endpoint)
    {
        foreach (string text in options.Endpoints)
        {
            if (!EndpointAddress.TryParse(text, out IPEndPoint? parsed) || !parsed.Equals(endpoint)) continue;
            string host = text[..text.LastIndexOf(':')];
            return host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        }
        return endpoint.Address.ToString();
    }

    public IssuerLinkState State => (IssuerLinkState)Volatile.Read(ref _state);

    public bool IsReady => Volatile.Read(ref _state) == (int)IssuerLinkState.Ready;

    public IssuerConnectionStatus Status => new(_endpoint.ToString(), State, _lastError);

    private IsoMessageBuilder Builder => t_builder ??= new IsoMessageBuilder(_link.Dialect);

    public async Task RunAsync(CancellationToken stopping)
    {
        IssuerOptions options = _link.Options;
        int delayMs = options.ReconnectInitialMs;
        while (!stopping.IsCancellationRequested)
        {
            Volatile.Write(ref _state, (int)IssuerLinkState.Connecting);
            var socket = new Socket(_endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                connectTimeout.CancelAfter(options.SignOnTimeoutMs);
                await socket.ConnectAsync(_endpoint, connectTimeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                socket.Dispose();
                if (stopping.IsCancellationRequested) break;
                _lastError = ex is OperationCanceledException ? "connect timed out" : ex.Message;
                Volatile.Write(ref _state, (int)IssuerLinkState.Disconnected);
                SwitchLog.IssuerConnectionLost(_link.Logger, _link.Id, _endpoint.ToString(), _lastError, delayMs);
                await Delay(delayMs, stopping).ConfigureAwait(false);
                delayMs = Math.Min(delayMs * 2, options.ReconnectMaxMs);
                continue;
            }

            ConnectionTransport transport;
            Stream stream;
            if (_tls is null)
            {
                transport = new SocketTransport(socket);
                stream = new NetworkStream(socket, ownsSocket: false);
            }
            else
            {
                TlsTransport? tls = await HandshakeAsync(socket, _tls, stopping).ConfigureAwait(false);
                if (tls is null)
                {
                    if (stopping.IsCancellationRequested) break;
                    Volatile.Write(ref _state, (int)IssuerLinkState.Disconnected);
                    await Delay(delayMs, stopping).ConfigureAwait(false);
                    delayMs = Math.Min(delayMs * 2, options.ReconnectMaxMs);
                    continue;
                }
                transport = tls;
                stream = tls.Stream;
            }

            _transport = transport;
            if (stopping.IsCancellationRequested)
            {
                // The stop came while connecting: its Abort found no transport to close, so close this one here
                // (published first, so a stop after this check finds it).
                Interlocked.Exchange(ref _transport, null)?.Close();
                stream.Dispose();
                break;
            }
            _outbound = new OutboundBuffer(transport, options.MaxWriteBufferBytes, reason => Abort("send failed: " + reason));
            _lastReceived = Stopwatch.GetTimestamp();
            _echoSentAt = 0;
            // Timestamp and STAN first: the timer thread reads them as soon as the state says SigningOn.
            _signOnSentAt = Stopwatch.GetTimestamp();
            _signOnStan = _link.NextNetworkStan();
            Volatile.Write(ref _state, (int)IssuerLinkState.SigningOn);
            SendNetworkManagement(NetworkManagement.SignOn, _signOnStan);

            bool wasReady = await ReadLoopAsync(stream).ConfigureAwait(false);
            Abort(null);
            Volatile.Write(ref _state, (int)IssuerLinkState.Disconnected);
            if (stopping.IsCancellationRequested) break;
            if (wasReady) delayMs = options.ReconnectInitialMs;
            SwitchLog.IssuerConnectionLost(_link.Logger, _link.Id, _endpoint.ToString(), _lastError ?? "closed by the issuer", delayMs);
            await Delay(delayMs, stopping).ConfigureAwait(false);
            delayMs = Math.Min(delayMs * 2, options.ReconnectMaxMs);
        }
        Volatile.Write(ref _state, (int)IssuerLinkState.Disconnected);
    }

    private static async Task Delay(int ms, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(ms, stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    /// <summary>
    /// Runs the client side of the TLS handshake on a connected socket. Returns the transport, or null (socket closed,
    /// reason logged and kept as the connection's last error) when it failed or timed out.
    /// </summary>
    private async Task<TlsTransport?> HandshakeAsync(Socket socket, TlsClientSetup setup, CancellationToken stopping)
    {
        var tls = new TlsTransport(socket);
        _certificateProblem = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            timeout.CancelAfter(setup.HandshakeTimeoutMs);
            await tls.Stream.AuthenticateAsClientAsync(setup.CreateOptions(ValidateServerCertificate), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            tls.Close();
            if (stopping.IsCancellationRequested) return null;
            _lastError = "TLS handshake failed: " + (_certificateProblem
                ?? (ex is OperationCanceledException ? $"not finished within {setup.HandshakeTimeoutMs} ms" : DescribeTlsFailure(ex)));
            SwitchLog.IssuerTlsHandshakeFailed(_link.Logger, _link.Id, _endpoint.ToString(), _lastError);
            return null;
        }
        SwitchLog.IssuerTlsEstablished(_link.Logger, _link.Id, _endpoint.ToString(), tls.Stream.SslProtocol.ToString(), tls.Stream.RemoteCertificate?.Subject ?? "?");
        return tls;
    }

    private bool ValidateServerCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        string? problem = _tls!.CheckServerCertificate(certificate, chain, errors);
        _certificateProblem = problem;
        return problem is null;
    }

    private static string DescribeTlsFailure(Exception ex)
        => ex.InnerException is null || ex.InnerException.Message == ex.Message ? ex.Message : $"{ex.Message} ({ex.InnerException.Message})";

    /// <summary>Reads answers until the connection ends. Returns whether it was ever signed on.</summary>
    private async Task<bool> ReadLoopAsync(Stream stream)
    {
        bool wasReady = false;
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 65536, minimumReadSize: 8192, leaveOpen: true));
        Framing framing = _link.Framing;
        try
        {
            while (true)
            {
                ReadResult result = await reader.ReadAsync().ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                string? fault = null;
                SendBatch.Begin(); // replies to the acquirers for these answers go out once per connection, at the end
                try
                {
                    while (fault is null)
                    {
                        FrameStatus status = framing.TryReadFrame(ref buffer, out ReadOnlySequence<byte> frame, out _, out int announced);
                        if (status == FrameStatus.Incomplete) break;
                        if (status != FrameStatus.Complete)
                        {
                            fault = status == FrameStatus.TooLarge ? $"frame of {announced} bytes exceeds {framing.MaxFrameBytes}" : "invalid frame header";
                            break;
                        }
                        _lastReceived = Stopwatch.GetTimestamp();
                        if (frame.IsEmpty) continue;
                        fault = Handle(Framing.Contiguous(frame, _scratch));
                        wasReady |= IsReady;
                    }
                }
                finally
                {
                    SendBatch.End();
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (fault is not null)
                {
                    SwitchLog.IssuerFormatError(_link.Logger, _link.Id, fault);
                    _lastError = fault;
                    break;
                }
                if (result.IsCompleted || result.IsCanceled) break;
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            _lastError = ex.Message;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A fault of the switch's own while handling an answer must not end this loop silently with the link
            // still "ready": log it and drop the connection, which reconnects; what was in flight times out and is reversed.
            SwitchLog.IssuerConnectionFailed(_link.Logger, _link.Id, _endpoint.ToString(), ex.GetType().Name + ": " + ex.Message);
            _lastError = ex.Message;
        }
        await reader.CompleteAsync().ConfigureAwait(false);
        return wasReady;
    }

    /// <summary>Handles one message from the issuer. Returns why to drop the connection, or null.</summary>
    private string? Handle(ReadOnlyMemory<byte> bytes)
    {
        IsoMessage message = _message;
        if (!message.TryParse(bytes, _link.Dialect, out ParseError error)) return error.ToString();
        message.TryGetInt64(11, out long stan);
        switch (message.Mti)
        {
            case Mti.NetworkManagementResponse:
                return OnNetworkManagementResponse(message, (int)stan);
            case Mti.NetworkManagementRequest:
                AnswerIssuerEcho(message);
                return null;
            case Mti.AuthorisationResponse:
            case Mti.FinancialResponse:
            case Mti.AuthorisationAdviceResponse:
            case Mti.ReversalResponse:
            case Mti.ReversalAdviceResponse:
                SwitchEngine engine = _link.Engine!;
                Transaction? waiting = _link.Pending.Peek((int)stan);
                if (waiting is null)
                {
                    engine.OnLateAnswer(_link, message);
                    return null;
                }
                if (!SwitchEngine.IsAnswerTo(waiting, message)) engine.OnMismatchedAnswer(_link, message, waiting);
                else if (_link.Pending.TryTake((int)stan, waiting)) engine.OnIssuerAnswer(waiting, message); // still under this STAN
                else engine.OnLateAnswer(_link, message); // the timeout took it first
                return null;
            default:
                return $"unexpected MTI {Mti.ToText(message.Mti)} from the issuer";
        }
    }

    private string? OnNetworkManagementResponse(IsoMessage message, int stan)
    {
        bool approved = message.FieldEquals(39, "00"u8);
        if (State == IssuerLinkState.SigningOn && stan == _signOnStan)
        {
            if (!approved)
            {
                SwitchLog.IssuerSignOnFailed(_link.Logger, _link.Id, _endpoint.ToString(), "0810 without DE39 = 00");
                return "sign-on refused";
            }
            _lastError = null;
            // Logged first: whoever sees the link ready (the start waits for it) also finds the line in the log.
            SwitchLog.IssuerSignedOn(_link.Logger, _link.Id, _endpoint.ToString());
            Volatile.Write(ref _state, (int)IssuerLinkState.Ready);
            return null;
        }
        if (stan == _echoStan) Volatile.Write(ref _echoSentAt, 0);
        _link.OnNetworkManagementAnswer(stan, approved);
        return null;
    }

    private void AnswerIssuerEcho(IsoMessage request)
    {
        IsoMessageBuilder builder = Builder;
        builder.Reset(_link.Dialect, Mti.NetworkManagementResponse);
        builder.CopyFrom(request, [7, 11, 70]);
        builder.SetAscii(39, "00"u8);
        _outbound?.TryWriteFrame(builder, _link.Framing, default);
    }

    private void SendNetworkManagement(int code, int stan)
    {
        IsoMessageBuilder builder = Builder;
        NetworkManagement.Build(builder, _link.Dialect, stan, code);
        _outbound?.TryWriteFrame(builder, _link.Framing, default);
    }

    /// <summary>Sends an 0800/301 echo with network STAN <paramref name="stan"/> (the breaker's half-open probe).</summary>
    public bool SendEcho(int stan)
    {
        OutboundBuffer? outbound = _outbound;
        if (!IsReady || outbound is null) return false;
        IsoMessageBuilder builder = Builder;
        NetworkManagement.Build(builder, _link.Dialect, stan, NetworkManagement.Echo);
        return outbound.TryWriteFrame(builder, _link.Framing, default);
    }

    /// <summary>Sends a registered transaction on this connection. False when not ready or the write failed.</summary>
    public bool TrySend(Transaction transaction)
    {
        OutboundBuffer? outbound = _outbound;
        if (!IsReady || outbound is null) return false;
        IsoMessageBuilder builder = Builder;
        _link.Engine!.BuildIssuerRequest(transaction, builder, _link.Dialect);
        if (!_link.Framing.Fits(builder.MessageLength))
        {
            // Larger than this link's frames (the switch's own fields, or a dialect with wider numerics, made it so):
            // never sent; the engine answers the acquirer.
            transaction.IssuerRequestTooLarge = true;
            return false;
        }
        return outbound.TryWriteFrame(builder, _link.Framing, default);
    }

    public void OnTick(long now)
    {
        IssuerOptions options = _link.Options;
        long frequency = Stopwatch.Frequency;
        switch (State)
        {
            case IssuerLinkState.SigningOn when now - _signOnSentAt > options.SignOnTimeoutMs * frequency / 1000:
                SwitchLog.IssuerSignOnFailed(_link.Logger, _link.Id, _endpoint.ToString(), $"no 0810 within {options.SignOnTimeoutMs} ms");
                _lastError = "no answer to sign-on";
                Abort(null);
                break;
            case IssuerLinkState.Ready:
                long echoSentAt = Volatile.Read(ref _echoSentAt);
                if (echoSentAt != 0 && now - echoSentAt > options.TimeoutMs * frequency / 1000)
                {
                    _lastError = $"no answer to echo within {options.TimeoutMs} ms";
                    Abort(null);
                }
                else if (echoSentAt == 0 && now - _lastReceived > options.EchoIntervalMs * frequency / 1000)
                {
                    _echoStan = _link.NextNetworkStan();
                    Volatile.Write(ref _echoSentAt, now);
                    SendNetworkManagement(NetworkManagement.Echo, _echoStan);
                }
                break;
        }
    }

    /// <summary>Sends 0800 sign-off when signed on (best effort, for a graceful stop).</summary>
    public void SignOff()
    {
        if (IsReady) SendNetworkManagement(NetworkManagement.SignOff, _link.NextNetworkStan());
    }

    /// <summary>Drops the connection; the run loop reconnects. In-flight requests time out (and are reversed) as usual.</summary>
    public void Abort(string? reason)
    {
        if (reason is not null) _lastError = reason;
        if (State is IssuerLinkState.Ready or IssuerLinkState.SigningOn) Volatile.Write(ref _state, (int)IssuerLinkState.Disconnected);
        _outbound?.Close();
        Interlocked.Exchange(ref _transport, null)?.Close();
    }
}
