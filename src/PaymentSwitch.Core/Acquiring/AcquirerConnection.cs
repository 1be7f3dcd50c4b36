using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Core.Networking;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Core.Acquiring;

/// <summary>
/// One POS terminal or acquirer host connection. Bytes flow transport (socket or TLS) → bounded <see cref="Pipe"/> →
/// frames → engine; replies (in any order, from any thread) go into a bounded outbound buffer that sends each batch with
/// one write.
/// </summary>
/// <remarks>
/// Bounds: the pipe pauses reading at <c>ReceivePauseBytes</c> (the peer feels TCP backpressure); a frame over
/// <c>MaxFrameBytes</c> closes the connection; requests in flight past <c>MaxInFlightPerConnection</c> are answered 91;
/// replies the peer does not read past <c>MaxWriteBufferBytes</c> close the connection; the listener's sweep closes it
/// when idle past <c>IdleTimeoutMs</c>, when a started frame is not complete within <c>FrameTimeoutMs</c>, or when the TLS
/// handshake takes longer than <c>Tls:HandshakeTimeoutMs</c>. Every close is logged with its reason (rate-limited per
/// reason). An idle connection holds no receive buffer (it waits with a zero-byte read, through TLS as well).
/// </remarks>
public sealed partial class AcquirerConnection
{
    private const int PhaseHandshake = 0;
    private const int PhaseOpen = 1;

    /// <summary>
    /// Bytes one connection may take in without ever waiting before its loop yields its thread: a peer that sends
    /// without pause would otherwise keep a pool thread (frames are handled inline) and starve every other connection.
    /// </summary>
    private const int FairShareBytes = 16 * 1024;

    /// <summary>
    /// A connection whose data arrived within this many milliseconds of asking for it is busy: its next receive goes
    /// straight into a pipe buffer instead of first waiting with a zero-byte read. The wait costs one more receive
    /// system call per wake-up (empty wait, woken wait, then the read: three instead of two), which a connection
    /// carrying a steady stream of requests pays on every batch. A connection that goes quiet holds that one buffer
    /// (4 KiB) until its next bytes, then returns to zero-byte waits, so idle connections still hold none.
    /// </summary>
    internal const long BusyGapMs = 50;

    private readonly Socket _socket;
    private readonly ConnectionTransport _transport;
    private readonly TlsTransport? _tls;
    private readonly AcquirerListener _listener;
    private readonly SwitchEngine _engine;
    private readonly Pipe _pipe;
    private readonly OutboundBuffer _outbound;
    private readonly int _maxInFlight;
    private int _inFlight;
    private int _closed;
    private long _busyReceives; // receives posted without a zero-byte wait first (written by the receive loop)
    private int _phase;

    // Milliseconds (Environment.TickCount64), written by the connection's loops, read by the listener's sweep.
    private readonly long _openedAtMs;
    private long _lastReceivedMs;
    private long _frameStartedMs; // 0 when no partial frame is buffered

    internal AcquirerConnection(Socket socket, IPAddress source, AcquirerListener listener, SwitchEngine engine)
    {
        _socket = socket;
        _listener = listener;
        _engine = engine;
        _maxInFlight = listener.Options.MaxInFlightPerConnection;
        SourceAddress = source;
        RemoteText = socket.RemoteEndPoint?.ToString() ?? "?";
        _openedAtMs = Environment.TickCount64;
        _lastReceivedMs = _openedAtMs;
        long pause = listener.Options.ReceivePauseBytes;
        _pipe = new Pipe(new PipeOptions(
            pauseWriterThreshold: pause,
            resumeWriterThreshold: pause / 2,
            minimumSegmentSize: 4096,
            readerScheduler: PipeScheduler.Inline,
            writerScheduler: PipeScheduler.Inline,
            useSynchronizationContext: false));
        if (listener.Tls is null)
        {
            _transport = new SocketTransport(socket);
            _phase = PhaseOpen;
        }
        else
        {
            _tls = new TlsTransport(socket);
            _transport = _tls;
            _phase = PhaseHandshake;
        }
        _outbound = new OutboundBuffer(_transport, listener.Options.MaxWriteBufferBytes, reason => Close(ConnectionEvent.SendFailed, "send failed: " + reason));
    }

    public string Name => _listener.Name;
    public string RemoteText { get; }
    public Dialect Dialect => _listener.Dialect;
    public Framing Framing => _listener.Framing;
    public int InFlight => Volatile.Read(ref _inFlight);
    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>True when the connection is TLS.</summary>
    public bool IsEncrypted => _transport.IsEncrypted;

    /// <summary>The remote address this connection counts against for <c>MaxConnectionsPerSource</c>.</summary>
    internal IPAddress SourceAddress { get; }

    /// <summary>Receives that went straight into a buffer because the connection was busy (see <see cref="BusyGapMs"/>).</summary>
    internal long BusyReceives => Volatile.Read(ref _busyReceives);

    internal bool TryEnterInFlight()
    {
        if (Interlocked.Increment(ref _inFlight) <= _maxInFlight) return true;
        Interlocked.Decrement(ref _inFlight);
        return false;
    }

    internal void ExitInFlight() => Interlocked.Decrement(ref _inFlight);

    /// <summary>
    /// For per-connection log lines of the engine (format errors, dropped replies, unexpected MTIs): true when the line
    /// fits this listener's budget for <paramref name="e"/>, so a hostile peer cannot make logging the bottleneck.
    /// </summary>
    internal bool ShouldLog(ConnectionEvent e) => _listener.LogLimiter.TryAcquire(e);

    /// <summary>Queues a framed reply. False when the connection is closed or the peer is not reading (then it is closed).</summary>
    internal bool TryWriteReply(ReadOnlySpan<byte> frame)
    {
        if (_outbound.TryWrite(frame)) return true;
        if (!IsClosed) CloseSlowReader();
        return false;
    }

    /// <summary>
    /// Builds and queues a reply; <paramref name="requestTpdu"/> is the request's TPDU (swapped here for the reply).
    /// False when the connection is closed or its write buffer full (it is then closed), or when the reply is larger
    /// than this connection's frames (nothing is written, the connection stays open).
    /// </summary>
    internal bool TryWriteFrame(IsoMessageBuilder builder, Tpdu requestTpdu)
    {
        if (!Framing.Fits(builder.MessageLength)) return false; // the caller logs the dropped reply; the connection stays
        if (_outbound.TryWriteFrame(builder, Framing, requestTpdu.IsEmpty ? default : requestTpdu.ForReply())) return true;
        if (!IsClosed) CloseSlowReader();
        return false;
    }

    private void CloseSlowReader()
        => Close(ConnectionEvent.SlowReader, $"the peer does not read its replies ({_listener.Options.MaxWriteBufferBytes} bytes unsent)");

    internal async Task RunAsync()
    {
        try
        {
            _listener.LogOpened(this);
            if (_tls is not null && !await AuthenticateAsync(_tls).ConfigureAwait(false)) return;
            Volatile.Write(ref _lastReceivedMs, Environment.TickCount64);
            Volatile.Write(ref _phase, PhaseOpen);
            Task receiving = ReceiveLoopAsync();
            await ProcessLoopAsync().ConfigureAwait(false);
            Close(ConnectionEvent.None, null);
            await receiving.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // A bug, not bad input (that is handled where it is read): close this connection only, and say so.
            Close(ConnectionEvent.InternalError, $"{ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            Close(ConnectionEvent.None, null);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        PipeWriter writer = _pipe.Writer;
        ConnectionTransport transport = _transport;
        Exception? error = null;
        int withoutWaiting = 0; // bytes taken in since this loop last had to wait for the peer
        bool busy = false;
        try
        {
            while (!IsClosed)
            {
                long askedMs = Environment.TickCount64;
                if (!busy)
                {
                    // Wait for data without holding a buffer, so thousands of idle connections cost little memory.
                    ValueTask<int> waiting = transport.WaitForDataAsync();
                    if (!waiting.IsCompleted) withoutWaiting = 0;
                    await waiting.ConfigureAwait(false);
                }
                else
                {
                    Volatile.Write(ref _busyReceives, _busyReceives + 1);
                }
                Memory<byte> memory = writer.GetMemory(4096);
                ValueTask<int> receiving = transport.ReceiveAsync(memory);
                if (!receiving.IsCompleted) withoutWaiting = 0;
                int received = await receiving.ConfigureAwait(false);
                if (received == 0) break;
                long nowMs = Environment.TickCount64;
                Volatile.Write(ref _lastReceivedMs, nowMs);
                busy = nowMs - askedMs <= BusyGapMs;
                writer.Advance(received);
                FlushResult flushed = await writer.FlushAsync().ConfigureAwait(false); // frames are handled here (inline reader)
                if (flushed.IsCompleted || flushed.IsCanceled) break;
                withoutWaiting += received;
                if (withoutWaiting >= FairShareBytes)
                {
                    // Back of the thread pool's queue: other connections, journal and issuer completions get their turn.
                    withoutWaiting = 0;
                    await Task.Yield();
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            if (!IsClosed) error = ex;
        }
        await writer.CompleteAsync(error).ConfigureAwait(false);
    }

    private async Task ProcessLoopAsync()
    {
        PipeReader reader = _pipe.Reader;
        Framing framing = Framing;
        try
        {
            while (true)
            {
                ReadResult result = await reader.ReadAsync().ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                FrameStatus fault = ProcessFrames(ref buffer, framing, out int completed, out int announced);
                TrackPartialFrame(buffer.IsEmpty, completed);
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (fault != FrameStatus.Complete)
                {
                    CloseForFrame(fault, framing, announced);
                    break;
                }
                if (result.IsCompleted || result.IsCanceled)
                {
                    if (!buffer.IsEmpty && !IsClosed)
                        Close(ConnectionEvent.PeerClosedMidFrame, $"the peer closed the connection in the middle of a frame ({buffer.Length} bytes unread)");
                    else if (!IsClosed) _listener.LogClosedByPeer(this);
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException or InvalidOperationException or OperationCanceledException)
        {
            if (!IsClosed) Close(ConnectionEvent.ReceiveFailed, "receive failed: " + ex.Message);
        }
        await reader.CompleteAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Hands every complete frame in <paramref name="buffer"/> to the engine. Returns <see cref="FrameStatus.Complete"/>
    /// when all is well (the rest, if any, is an incomplete frame), otherwise the fault that closes the connection.
    /// </summary>
    private FrameStatus ProcessFrames(ref ReadOnlySequence<byte> buffer, Framing framing, out int completed, out int announced)
    {
        completed = 0;
        announced = 0;
        SendBatch.Begin(); // replies and issuer requests of these frames go out once per connection, at the end
        try
        {
            while (!IsClosed)
            {
                FrameStatus status = framing.TryReadFrame(ref buffer, out ReadOnlySequence<byte> message, out Tpdu tpdu, out announced);
                if (status == FrameStatus.Complete)
                {
                    completed++;
                    _engine.OnFrame(this, message, tpdu);
                    continue;
                }
                return status == FrameStatus.Incomplete ? FrameStatus.Complete : status;
            }
            return FrameStatus.Complete;
        }
        finally
        {
            SendBatch.End();
        }
    }

    /// <summary>Starts the frame clock when bytes of a new frame wait in the buffer; stops it when none do.</summary>
    private void TrackPartialFrame(bool bufferEmpty, int completed)
    {
        if (bufferEmpty)
        {
            if (_frameStartedMs != 0) Volatile.Write(ref _frameStartedMs, 0);
        }
        else if (completed > 0 || _frameStartedMs == 0)
        {
            Volatile.Write(ref _frameStartedMs, Environment.TickCount64);
        }
    }

    private void CloseForFrame(FrameStatus fault, Framing framing, int announced)
    {
        if (fault == FrameStatus.TooLarge)
            Close(ConnectionEvent.FrameTooLarge, $"frame of {announced} bytes exceeds the maximum of {framing.MaxFrameBytes}");
        else
            Close(ConnectionEvent.InvalidFrameHeader, $"invalid frame header for {framing}");
    }

    /// <summary>
    /// Called by the listener's sweep: closes this connection when one of its timeouts has passed (0 disables one).
    /// Bytes that arrived but that the switch has not read yet (it is busy) are the switch's delay, not the peer's: then
    /// no idle or frame timeout applies.
    /// </summary>
    internal void CheckTimeouts(long nowMs, int idleTimeoutMs, int frameTimeoutMs, int handshakeTimeoutMs)
    {
        if (IsClosed) return;
        if (Volatile.Read(ref _phase) == PhaseHandshake)
        {
            long waited = nowMs - _openedAtMs;
            if (handshakeTimeoutMs > 0 && waited > handshakeTimeoutMs)
                Close(ConnectionEvent.TlsHandshakeTimeout, $"no finished TLS handshake {waited} ms after connecting (Tls:HandshakeTimeoutMs = {handshakeTimeoutMs})");
            return;
        }
        long frameStarted = Volatile.Read(ref _frameStartedMs);
        if (frameTimeoutMs > 0 && frameStarted != 0 && nowMs - frameStarted > frameTimeoutMs)
        {
            if (!HasUnreadBytes())
                Close(ConnectionEvent.FrameTimeout, $"a frame started {nowMs - frameStarted} ms ago is still incomplete (FrameTimeoutMs = {frameTimeoutMs}): slow sender or a length header announcing more than was sent");
            return;
        }
        long silent = nowMs - Volatile.Read(ref _lastReceivedMs);
        if (idleTimeoutMs > 0 && silent > idleTimeoutMs && InFlight == 0 && !HasUnreadBytes())
            Close(ConnectionEvent.IdleTimeout, $"nothing received for {silent} ms (IdleTimeoutMs = {idleTimeoutMs})");
    }

    /// <summary>Whether the kernel holds bytes from the peer that the switch has not read yet (cold: only for a connection about to time out).</summary>
    private bool HasUnreadBytes()
    {
        try
        {
            return _socket.Available > 0;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Closes the connection (once), logging <paramref name="reason"/> when given (as a protocol error).</summary>
    public void Close(string? reason) => Close(reason is null ? ConnectionEvent.None : ConnectionEvent.ProtocolError, reason);

    /// <summary>Closes the connection (once); logs why (within the reason's budget) unless <paramref name="reason"/> is None.</summary>
    internal void Close(ConnectionEvent reason, string? detail)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        if (reason != ConnectionEvent.None) _listener.LogClosed(this, reason, detail ?? "");
        _outbound.Close();
        _transport.Close();
        _pipe.Reader.CancelPendingRead();
        _pipe.Writer.CancelPendingFlush();
        _listener.OnConnectionClosed(this);
    }
}
