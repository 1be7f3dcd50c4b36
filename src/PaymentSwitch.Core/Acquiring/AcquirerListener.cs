using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using PaymentSwitch.Core.Acquiring.Internal;
using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Core.Configuration;
using PaymentSwitch.Core.Logging;
using PaymentSwitch.Core.Networking;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Core.Acquiring;

/// <summary>
/// A raw TCP listener for POS terminals and acquirer hosts (not Kestrel: the ISO port is a plain socket with
/// pipelines), optionally with TLS. Every bound has a stated behaviour and a logged reason when hit:
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>MaxConnections</c>: a connection beyond it is closed at once (<c>listener-full</c>).</item>
/// <item><c>MaxConnectionsPerSource</c>: a connection from an address that already holds that many is closed at once
/// (<c>source-limit</c>).</item>
/// <item><c>IdleTimeoutMs</c>: a connection that receives nothing that long, with no request in flight, is closed
/// (<c>idle-timeout</c>).</item>
/// <item><c>FrameTimeoutMs</c>: a frame that has started must be complete that soon (<c>frame-timeout</c>: slow
/// senders, lying length headers).</item>
/// <item><c>Tls:HandshakeTimeoutMs</c>: from accept to a finished handshake (<c>tls-handshake-timeout</c>).</item>
/// </list>
/// The timeouts cost no timer per connection or frame: one sweep every <see cref="SweepIntervalMs"/> looks at each
/// connection's timestamps. Connection log lines are rate-limited per reason (<see cref="ConnectionLogLimiter"/>).
/// </remarks>
public sealed class AcquirerListener : IAsyncDisposable
{
    private readonly SwitchEngine _engine;
    private readonly ConcurrentDictionary<AcquirerConnection, byte> _connections = new();
    private readonly ConnectionsBySource _sources = new();
    private Socket? _socket;
    private Task? _acceptLoop;
    private Timer? _sweepTimer;
    private int _sweeping;
    private int _connectionCount;
    private volatile bool _stopping;

    public AcquirerListener(AcquirerOptions options, Dialect dialect, SwitchEngine engine, ILogger logger)
    {
        Options = options;
        Dialect = dialect;
        Framing = Framing.Parse(options.Framing, options.Tpdu, options.MaxFrameBytes);
        Logger = logger;
        LogLimiter = new ConnectionLogLimiter(logger, options.Name);
        _engine = engine;
    }

    public AcquirerOptions Options { get; }
    public string Name => Options.Name;
    public Dialect Dialect { get; }
    public Framing Framing { get; }
    internal ILogger Logger { get; }
    internal ConnectionLogLimiter LogLimiter { get; }

    /// <summary>The server side of TLS, or null for plain TCP.</summary>
    internal TlsServerSetup? Tls { get; private set; }

    /// <summary>True when this listener speaks TLS.</summary>
    public bool IsTls => Tls is not null;

    /// <summary>The bound address (the actual port when configured with port 0).</summary>
    public IPEndPoint? LocalEndPoint => _socket?.LocalEndPoint as IPEndPoint;

    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    /// <summary>The connections open now (a snapshot; for tests and diagnostics).</summary>
    internal ICollection<AcquirerConnection> OpenConnections => _connections.Keys;

    /// <summary>Remote addresses with at least one open connection.</summary>
    public int SourceCount => _sources.SourceCount;

    /// <summary>How often the sweep checks the idle, frame and handshake timeouts.</summary>
    public int SweepIntervalMs { get; private set; }

    /// <summary>Connection log lines left out by the per-reason rate limit so far.</summary>
    public long SuppressedLogLines => LogLimiter.SuppressedTotal;

    /// <summary>Loads TLS (when enabled), binds and starts accepting. Throws with the setting or address at fault.</summary>
    public void Start()
    {
        if (Options.Tls.Enabled)
        {
            Tls = TlsServerSetup.Create(Options.Tls, $"Acquirers:{Options.Name}:Tls");
            SwitchLog.AcquirerListenerTls(Logger, Name, Tls.CertificateSubject, Tls.CertificateNotAfter,
                Tls.RequireClientCertificate ? (Tls.ClientTrust.UsesCustomRoots ? "required, chained to TrustedCaFile" : "required, chained to the system store") : "not required",
                Tls.HandshakeTimeoutMs);
        }
        IPEndPoint endpoint = EndpointAddress.Parse(Options.Listen, $"Acquirers:{Options.Name}:Listen");
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(endpoint);
            socket.Listen(Options.Backlog);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new InvalidOperationException($"Acquirer listener '{Name}' cannot listen on {endpoint}: {ex.Message}. Is another process using the port? Change Acquirers:…:Listen.", ex);
        }
        _socket = socket;
        SweepIntervalMs = ComputeSweepIntervalMs();
        SwitchLog.ListenerStarted(Logger, Name, LocalEndPoint!.ToString(), Dialect.Name, Framing.ToString() + (Tls is null ? "" : ", TLS"));
        SwitchLog.AcquirerListenerBounds(Logger, Name, Options.MaxConnections, Options.MaxConnectionsPerSource, Options.IdleTimeoutMs, Options.FrameTimeoutMs, Options.MaxFrameBytes, SweepIntervalMs);
        _sweepTimer = new Timer(static state => ((AcquirerListener)state!).Sweep(), this, SweepIntervalMs, SweepIntervalMs);
        _acceptLoop = AcceptLoopAsync(socket);
    }

    /// <summary>A quarter of the shortest timeout (so one fires at most 25 % late), between 10 ms and 1 s.</summary>
    private int ComputeSweepIntervalMs()
    {
        int shortest = 4000;
        if (Options.IdleTimeoutMs > 0) shortest = Math.Min(shortest, Options.IdleTimeoutMs);
        if (Options.FrameTimeoutMs > 0) shortest = Math.Min(shortest, Options.FrameTimeoutMs);
        if (Tls is not null && Tls.HandshakeTimeoutMs > 0) shortest = Math.Min(shortest, Tls.HandshakeTimeoutMs);
        return Math.Clamp(shortest / 4, 10, 1000);
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stopping)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                return; // stopped
            }
            catch (SocketException ex)
            {
                if (_stopping) return;
                // A connection reset before it was accepted, or no file descriptors left: the listener goes on.
                if (LogLimiter.TryAcquire(ConnectionEvent.AcceptFailed))
                    SwitchLog.AcquirerConnectionRefusedFor(Logger, Name, "?", ConnectionEventNames.Name(ConnectionEvent.AcceptFailed),
                        $"{ex.SocketErrorCode}: {ex.Message}. If this repeats, check the process's open-file limit.");
                if (ex.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
                    await Task.Delay(50).ConfigureAwait(false);
                continue;
            }
            try
            {
                Accept(socket);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                socket.Dispose(); // reset while being set up: nothing to serve
            }
        }
    }

    private void Accept(Socket socket)
    {
        IPAddress source = ConnectionsBySource.SourceOf(socket.RemoteEndPoint);
        if (Interlocked.Increment(ref _connectionCount) > Options.MaxConnections)
        {
            Interlocked.Decrement(ref _connectionCount);
            Refuse(socket, ConnectionEvent.ListenerFull);
            return;
        }
        if (!_sources.TryAdd(source, Options.MaxConnectionsPerSource))
        {
            Interlocked.Decrement(ref _connectionCount);
            Refuse(socket, ConnectionEvent.SourceLimit);
            return;
        }
        AcquirerConnection connection;
        try
        {
            socket.NoDelay = true;
            connection = new AcquirerConnection(socket, source, this, _engine);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Reset between accept and setup.
            _sources.Remove(source);
            Interlocked.Decrement(ref _connectionCount);
            throw;
        }
        _connections[connection] = 0; // registered before it runs, so its close always finds it
        _ = Task.Run(connection.RunAsync);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Refuse(Socket socket, ConnectionEvent reason)
    {
        if (LogLimiter.TryAcquire(reason))
        {
            string detail = reason == ConnectionEvent.ListenerFull
                ? $"{Options.MaxConnections} connections already open (Acquirers:…:MaxConnections)"
                : $"this address already holds {Options.MaxConnectionsPerSource} connections (Acquirers:…:MaxConnectionsPerSource); raise it if the source is a legitimate acquirer host";
            SwitchLog.AcquirerConnectionRefusedFor(Logger, Name, socket.RemoteEndPoint?.ToString() ?? "?", ConnectionEventNames.Name(reason), detail);
        }
        socket.Dispose();
    }

    internal void OnConnectionClosed(AcquirerConnection connection)
    {
        if (!_connections.TryRemove(connection, out _)) return;
        _sources.Remove(connection.SourceAddress);
        Interlocked.Decrement(ref _connectionCount);
    }

    /// <summary>One pass over the open connections: closes those past a timeout, then writes pending log summaries.</summary>
    private void Sweep()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) != 0) return; // the previous sweep is still running
        try
        {
            long now = Environment.TickCount64;
            int handshakeMs = Tls?.HandshakeTimeoutMs ?? 0;
            foreach (KeyValuePair<AcquirerConnection, byte> entry in _connections)
                entry.Key.CheckTimeouts(now, Options.IdleTimeoutMs, Options.FrameTimeoutMs, handshakeMs);
            LogLimiter.Flush();
        }
        catch (Exception ex)
        {
            Logger.LogError(ex, "Acquirer '{Name}': timeout sweep failed; it runs again in {IntervalMs} ms", Name, SweepIntervalMs);
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    // Connection log lines, each within its reason's budget.

    internal void LogOpened(AcquirerConnection connection)
    {
        if (Logger.IsEnabled(LogLevel.Debug) && LogLimiter.TryAcquire(ConnectionEvent.Opened))
            SwitchLog.ConnectionOpened(Logger, Name, connection.RemoteText);
    }

    internal void LogClosedByPeer(AcquirerConnection connection)
    {
        if (Logger.IsEnabled(LogLevel.Debug) && LogLimiter.TryAcquire(ConnectionEvent.ClosedByPeer))
            SwitchLog.ConnectionClosed(Logger, Name, connection.RemoteText);
    }

    internal void LogClosed(AcquirerConnection connection, ConnectionEvent reason, string detail)
    {
        LogLevel level = reason switch
        {
            ConnectionEvent.IdleTimeout or ConnectionEvent.ReceiveFailed or ConnectionEvent.SendFailed => LogLevel.Information,
            ConnectionEvent.InternalError => LogLevel.Error,
            _ => LogLevel.Warning,
        };
        if (Logger.IsEnabled(level) && LogLimiter.TryAcquire(reason))
            SwitchLog.AcquirerConnectionClosedFor(Logger, level, Name, connection.RemoteText, ConnectionEventNames.Name(reason), detail);
    }

    /// <summary>Stops accepting new connections (in-flight requests on open ones go on).</summary>
    public void StopAccepting()
    {
        _stopping = true;
        _socket?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        StopAccepting();
        if (_acceptLoop is not null) await _acceptLoop.ConfigureAwait(false);
        if (_sweepTimer is not null) await _sweepTimer.DisposeAsync().ConfigureAwait(false);
        foreach (AcquirerConnection connection in _connections.Keys) connection.Close(null);
        LogLimiter.Flush();
    }
}
