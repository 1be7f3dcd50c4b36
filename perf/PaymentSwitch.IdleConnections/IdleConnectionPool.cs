using System.Net;
using System.Net.Sockets;

namespace PaymentSwitch.IdleConnections;

/// <summary>
/// Opens the connections (at most <see cref="IdleOptions.Parallel"/> connects at once), then watches each one with
/// a pending receive so a close by the listener, or any byte it sends, is counted. Sends nothing.
/// </summary>
internal sealed class IdleConnectionPool
{
    private readonly IdleOptions _options;
    private readonly Socket?[] _sockets;
    private int _opened;
    private int _failed;
    private int _closedByPeer;
    private long _unexpectedBytes;
    private volatile bool _closing;
    private string? _firstError;

    public IdleConnectionPool(IdleOptions options)
    {
        _options = options;
        _sockets = new Socket?[options.Connections];
    }

    public int Opened => Volatile.Read(ref _opened);

    public int Failed => Volatile.Read(ref _failed);

    public string FirstErrorSuffix => _firstError is null ? "" : "; first error: " + _firstError;

    private int SourceCount => (_options.Connections + _options.PerSource - 1) / _options.PerSource;

    public async Task OpenAllAsync(CancellationToken cancellationToken)
    {
        int next = -1;
        var workers = new Task[Math.Min(_options.Parallel, _options.Connections)];
        for (int w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < _options.Connections && !cancellationToken.IsCancellationRequested)
                    await OpenOneAsync(index, cancellationToken).ConfigureAwait(false);
            }, CancellationToken.None);
        }
        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    private async Task OpenOneAsync(int index, CancellationToken cancellationToken)
    {
        // 127.0.0.1 for the first PerSource connections, then 127.0.0.2, … (all of 127/8 is loopback on Linux).
        var source = new IPAddress(new byte[] { 127, 0, 0, (byte)(1 + index / _options.PerSource) });
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(source, 0));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.ConnectTimeoutMs);
            await socket.ConnectAsync(_options.Target, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            Interlocked.Increment(ref _failed);
            Interlocked.CompareExchange(ref _firstError, $"{source}: {ex.Message}", null);
            return;
        }
        _sockets[index] = socket;
        Interlocked.Increment(ref _opened);
        _ = WatchAsync(socket);
    }

    private async Task WatchAsync(Socket socket)
    {
        byte[] buffer = new byte[64];
        try
        {
            while (true)
            {
                int received = await socket.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (received == 0) break;
                Interlocked.Add(ref _unexpectedBytes, received);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Reset by the peer, or disposed by CloseAll.
        }
        if (!_closing) Interlocked.Increment(ref _closedByPeer);
    }

    public IdleSummary Summarise()
    {
        int closed = Volatile.Read(ref _closedByPeer);
        int opened = Opened;
        return new IdleSummary(_options.Connections, opened, Failed, closed, Interlocked.Read(ref _unexpectedBytes), opened - closed, SourceCount, _firstError);
    }

    public void CloseAll()
    {
        _closing = true;
        foreach (Socket? socket in _sockets) socket?.Dispose();
    }
}
