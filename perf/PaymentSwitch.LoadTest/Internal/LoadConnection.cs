using System.Diagnostics;
using System.Net.Sockets;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.LoadTest.Internal;

/// <summary>
/// One TCP connection of the run (one terminal, or one acquirer host link): its schedule, its requests in flight
/// keyed by STAN, its send batch and receive buffer, its counters.
/// </summary>
/// <remarks>
/// Threads: the scheduler thread calls <see cref="Pump"/> (build due requests into the batch, sweep timeouts, start
/// the send); the receive loop runs on the thread pool. Both take <see cref="_lock"/> once per batch / per received
/// buffer, never per request, and the lock is never held across I/O. Everything here is preallocated; the hot path
/// allocates nothing.
/// </remarks>
internal sealed partial class LoadConnection
{
    private readonly RunContext _ctx;
    private readonly Lock _lock = new();
    private readonly PendingTable _pending;
    private readonly ApprovedRing? _approved;
    private readonly FixedBufferWriter _batch;
    private readonly byte[] _receiveBuffer;
    private readonly IsoMessage _answer = new();
    private readonly byte[] _reversalScratch = new byte[TransactionRecord.SizeBytes];
    private readonly byte[] _terminalId = new byte[TerminalId.Length];
    private readonly byte[] _merchantId = new byte[15];
    private FastRandom _random;

    private Socket? _socket;
    private int _socketGeneration;
    private volatile ConnectionState _state = ConnectionState.Down;
    private long _reconnectAtTicks;
    private volatile bool _sendInProgress;
    private Task _receiveLoop = Task.CompletedTask;

    // Schedule (open loop): request k of this connection is intended at Start + (k * Connections + Index) * TicksPerRequest.
    private long _next;
    private long _backlogCountedUntil;
    // Requests before this came due while a send was still pending (the target was not taking our bytes): their wait
    // is the target's doing, like a wait for an in-flight slot, and stays out of the scheduler-lag figures.
    private long _heldBySendUntil;
    // Requests [_notConnectedFrom, _notConnectedUntil) came due while the connection was down; their latency is
    // recorded once the connection is back (or the run ends): they could not have been sent before then.
    private long _notConnectedFrom = -1;
    private long _notConnectedUntil;
    // Closed loop: when the terminal's next request is due (long.MaxValue while one is in flight).
    private long _nextDueTicks;
    private long _nextSweepTicks = long.MaxValue;
    // The scheduler skips this connection until then (0: look at the next tick).
    private long _wakeTicks;
    private long _rrnCounter;

    public LoadConnection(RunContext ctx, int index)
    {
        _ctx = ctx;
        Index = index;
        int capacity = ctx.Options.EffectiveMaxInFlight;
        _pending = new PendingTable(capacity);
        _approved = ctx.Mix.KeepsApprovals ? new ApprovedRing(Math.Clamp(capacity, 16, 1024)) : null;
        // One write per tick: room for every request the in-flight bound allows, up to 64 KiB.
        int batchBytes = Math.Max(ctx.RequestFrameBoundBytes, Math.Min(64 * 1024, capacity * ctx.RequestFrameBoundBytes));
        _batch = new FixedBufferWriter(batchBytes);
        // Room for two maximal frames at least; pipelined connections get more, so one read takes many answers.
        _receiveBuffer = new byte[Math.Max(2 * ctx.MaxFrameTotalBytes, Math.Min(64 * 1024, capacity * 1024))];
        _random = new FastRandom(((ulong)(uint)ctx.Options.Seed << 20) ^ (ulong)index);

        "LOADTEST"u8.CopyTo(_merchantId);
        AsciiDigits.Write(_merchantId.AsSpan(8), index);
    }

    public int Index { get; }

    public ConnectionCounters Counters { get; } = new();

    public bool IsConnected => _state == ConnectionState.Connected;

    /// <summary>Requests in flight (read without the lock by the progress reporter; approximate).</summary>
    public int InFlight => _pending.InFlight;

    /// <summary>Opens the connection and starts its receive loop. Counts a failure as <see cref="LoadErrorKind.ConnectFailed"/>.</summary>
    public async Task<bool> ConnectAsync(CancellationToken cancellationToken)
    {
        _state = ConnectionState.Connecting;
        var socket = new Socket(_ctx.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_ctx.Options.Timeout);
            await socket.ConnectAsync(_ctx.EndPoint, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            lock (_lock)
            {
                Counters.AddError(LoadErrorKind.ConnectFailed);
                _reconnectAtTicks = Stopwatch.GetTimestamp() + _ctx.ReconnectDelayTicks;
            }
            Sample(LoadErrorKind.ConnectFailed, ex is SocketException se ? se.SocketErrorCode.ToString() : "connect timed out");
            _state = ConnectionState.Down;
            return false;
        }

        int generation;
        lock (_lock)
        {
            if (_ctx.Stopping || _state == ConnectionState.Closed)
            {
                // The run ended while this (re)connect was under way.
                socket.Dispose();
                return false;
            }
            generation = ++_socketGeneration;
            _socket = socket;
            RecordNotConnected(Stopwatch.GetTimestamp());
            _batch.Clear();
            _sendInProgress = false;
            _wakeTicks = 0;
        }
        _state = ConnectionState.Connected;
        _receiveLoop = ReceiveLoopAsync(socket, generation);
        return true;
    }

    /// <summary>
    /// Marks the connection down after the peer closed it or an I/O failed: counts the closure and every request in
    /// flight on it (their outcome is unknown), closes the socket and schedules a reconnect.
    /// </summary>
    private void OnBroken(int generation, LoadErrorKind kind, string reason)
    {
        Socket? socket;
        lock (_lock)
        {
            if (generation != _socketGeneration || _state != ConnectionState.Connected) return;
            socket = _socket;
            _socket = null;
            _state = ConnectionState.Down;
            _reconnectAtTicks = Stopwatch.GetTimestamp() + _ctx.ReconnectDelayTicks;
            if (!_ctx.Stopping)
            {
                Counters.AddError(kind);
                long lost = 0;
                long now = Stopwatch.GetTimestamp();
                for (int slot = 0; slot < _pending.Capacity; slot++)
                {
                    if (!_pending.IsInFlight(slot)) continue;
                    // Its outcome is unknown: it counts in the latency figures at the time it was lost (a lower bound).
                    ref PendingRequest request = ref _pending[slot];
                    _ctx.RecordLatency(request.Measured, RunContext.ToMicros(now - request.IntendedTicks));
                    _pending.Free(slot);
                    lost++;
                }
                if (lost > 0) Counters.AddError(LoadErrorKind.InFlightLost, lost);
                if (_ctx.Options.IsClosedLoop) _nextDueTicks = _reconnectAtTicks;
            }
        }
        if (!_ctx.Stopping) Sample(kind, reason);
        socket?.Dispose();
    }

    /// <summary>Closes the socket at the end of the run (not counted as an error) and waits for the receive loop.</summary>
    public async Task CloseAsync()
    {
        Socket? socket;
        lock (_lock)
        {
            socket = _socket;
            _socket = null;
            _state = ConnectionState.Closed;
        }
        if (socket is not null)
        {
            try
            {
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
                // already gone: nothing to shut down
            }
            socket.Dispose();
        }
        await _receiveLoop.ConfigureAwait(false);
    }

    private void Sample(LoadErrorKind kind, string detail)
    {
        if (_ctx.Samples.IsFull) return;
        _ctx.Samples.Add($"{LoadTestResult.KindName(kind)} on connection {Index}: {detail}");
    }

    private enum ConnectionState
    {
        Down,
        Connecting,
        Connected,
        Closed,
    }
}
