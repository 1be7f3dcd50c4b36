using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Core.Configuration;
using PaymentSwitch.Core.Logging;
using PaymentSwitch.Core.Networking;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Core.Acquiring;

/// <summary>
/// A raw TCP listener for POS terminals and acquirer hosts (not Kestrel: the ISO port is a plain socket with
/// pipelines). Accepts up to <c>MaxConnections</c>; a connection beyond it is closed at once and logged.
/// </summary>
public sealed class AcquirerListener : IAsyncDisposable
{
    private readonly SwitchEngine _engine;
    private readonly ConcurrentDictionary<AcquirerConnection, byte> _connections = new();
    private Socket? _socket;
    private Task? _acceptLoop;
    private int _connectionCount;

    public AcquirerListener(AcquirerOptions options, Dialect dialect, SwitchEngine engine, ILogger logger)
    {
        Options = options;
        Dialect = dialect;
        Framing = Framing.Parse(options.Framing, options.Tpdu, options.MaxFrameBytes);
        Logger = logger;
        _engine = engine;
    }

    public AcquirerOptions Options { get; }
    public string Name => Options.Name;
    public Dialect Dialect { get; }
    public Framing Framing { get; }
    internal ILogger Logger { get; }

    /// <summary>The bound address (the actual port when configured with port 0).</summary>
    public IPEndPoint? LocalEndPoint => _socket?.LocalEndPoint as IPEndPoint;

    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    /// <summary>Binds and starts accepting. Throws with the address when it cannot bind.</summary>
    public void Start()
    {
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
        SwitchLog.ListenerStarted(Logger, Name, LocalEndPoint!.ToString(), Dialect.Name, Framing.ToString());
        _acceptLoop = AcceptLoopAsync(socket);
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return; // stopped
            }
            if (Interlocked.Increment(ref _connectionCount) > Options.MaxConnections)
            {
                Interlocked.Decrement(ref _connectionCount);
                SwitchLog.ConnectionRefused(Logger, Name, socket.RemoteEndPoint?.ToString() ?? "?", $"{Options.MaxConnections} connections already open");
                socket.Dispose();
                continue;
            }
            socket.NoDelay = true;
            var connection = new AcquirerConnection(socket, this, _engine);
            _connections[connection] = 0; // registered before it runs, so its close always finds it
            _ = Task.Run(connection.RunAsync);
        }
    }

    internal void OnConnectionClosed(AcquirerConnection connection)
    {
        if (_connections.TryRemove(connection, out _)) Interlocked.Decrement(ref _connectionCount);
    }

    /// <summary>Stops accepting new connections (in-flight requests on open ones go on).</summary>
    public void StopAccepting()
    {
        _socket?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        StopAccepting();
        if (_acceptLoop is not null) await _acceptLoop.ConfigureAwait(false);
        foreach (AcquirerConnection connection in _connections.Keys) connection.Close(null);
    }
}
