using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Core.Logging;
using PaymentSwitch.Core.Networking;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Core.Acquiring;

/// <summary>
/// One POS terminal or acquirer host connection. Bytes flow socket → bounded <see cref="Pipe"/> → frames → engine;
/// replies (in any order, from any thread) go into a bounded outbound buffer that sends each batch with one write.
/// </summary>
/// <remarks>
/// Bounds: the pipe pauses reading at <c>ReceivePauseBytes</c> (the peer feels TCP backpressure); a frame over
/// <c>MaxFrameBytes</c> closes the connection; requests in flight past <c>MaxInFlightPerConnection</c> are answered 91;
/// replies the peer does not read past <c>MaxWriteBufferBytes</c> close the connection. Every close is logged with its
/// reason. An idle connection holds no receive buffer (it waits with a zero-byte read).
/// </remarks>
public sealed class AcquirerConnection
{
    private readonly Socket _socket;
    private readonly AcquirerListener _listener;
    private readonly SwitchEngine _engine;
    private readonly Pipe _pipe;
    private readonly OutboundBuffer _outbound;
    private readonly int _maxInFlight;
    private int _inFlight;
    private int _closed;

    internal AcquirerConnection(Socket socket, AcquirerListener listener, SwitchEngine engine)
    {
        _socket = socket;
        _listener = listener;
        _engine = engine;
        _maxInFlight = listener.Options.MaxInFlightPerConnection;
        RemoteText = socket.RemoteEndPoint?.ToString() ?? "?";
        long pause = listener.Options.ReceivePauseBytes;
        _pipe = new Pipe(new PipeOptions(
            pauseWriterThreshold: pause,
            resumeWriterThreshold: pause / 2,
            minimumSegmentSize: 4096,
            readerScheduler: PipeScheduler.Inline,
            writerScheduler: PipeScheduler.Inline,
            useSynchronizationContext: false));
        _outbound = new OutboundBuffer(socket, listener.Options.MaxWriteBufferBytes, reason => Close("send failed: " + reason));
    }

    public string Name => _listener.Name;
    public string RemoteText { get; }
    public Dialect Dialect => _listener.Dialect;
    public Framing Framing => _listener.Framing;
    public int InFlight => Volatile.Read(ref _inFlight);
    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    internal bool TryEnterInFlight()
    {
        if (Interlocked.Increment(ref _inFlight) <= _maxInFlight) return true;
        Interlocked.Decrement(ref _inFlight);
        return false;
    }

    internal void ExitInFlight() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Queues a framed reply. False when the connection is closed or the peer is not reading (then it is closed).</summary>
    internal bool TryWriteReply(ReadOnlySpan<byte> frame)
    {
        if (_outbound.TryWrite(frame)) return true;
        if (!IsClosed) Close($"the peer does not read its replies ({_listener.Options.MaxWriteBufferBytes} bytes unsent)");
        return false;
    }

    /// <summary>Builds and queues a reply; <paramref name="requestTpdu"/> is the request's TPDU (swapped here for the reply).</summary>
    internal bool TryWriteFrame(IsoMessageBuilder builder, Tpdu requestTpdu)
    {
        if (_outbound.TryWriteFrame(builder, Framing, requestTpdu.IsEmpty ? default : requestTpdu.ForReply())) return true;
        if (!IsClosed) Close($"the peer does not read its replies ({_listener.Options.MaxWriteBufferBytes} bytes unsent)");
        return false;
    }

    internal async Task RunAsync()
    {
        SwitchLog.ConnectionOpened(_listener.Logger, Name, RemoteText);
        Task receiving = ReceiveLoopAsync();
        await ProcessLoopAsync().ConfigureAwait(false);
        Close(null);
        await receiving.ConfigureAwait(false);
    }

    private async Task ReceiveLoopAsync()
    {
        PipeWriter writer = _pipe.Writer;
        Exception? error = null;
        try
        {
            while (!IsClosed)
            {
                // Wait for data without holding a buffer, so thousands of idle connections cost little memory.
                await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
                Memory<byte> memory = writer.GetMemory(4096);
                int received = await _socket.ReceiveAsync(memory, SocketFlags.None).ConfigureAwait(false);
                if (received == 0) break;
                writer.Advance(received);
                FlushResult flushed = await writer.FlushAsync().ConfigureAwait(false);
                if (flushed.IsCompleted || flushed.IsCanceled) break;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
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
                string? fault = ProcessFrames(ref buffer, framing);
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (fault is not null)
                {
                    Close(fault);
                    break;
                }
                if (result.IsCompleted || result.IsCanceled)
                {
                    if (!buffer.IsEmpty && !IsClosed) Close($"the peer closed the connection in the middle of a frame ({buffer.Length} bytes unread)");
                    else if (!IsClosed) SwitchLog.ConnectionClosed(_listener.Logger, Name, RemoteText);
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException or InvalidOperationException)
        {
            if (!IsClosed) Close("receive failed: " + ex.Message);
        }
        await reader.CompleteAsync().ConfigureAwait(false);
    }

    /// <summary>Hands every complete frame in <paramref name="buffer"/> to the engine. Returns why to close, or null.</summary>
    private string? ProcessFrames(ref ReadOnlySequence<byte> buffer, Framing framing)
    {
        while (!IsClosed)
        {
            switch (framing.TryReadFrame(ref buffer, out ReadOnlySequence<byte> message, out Tpdu tpdu, out int announced))
            {
                case FrameStatus.Complete:
                    _engine.OnFrame(this, message, tpdu);
                    continue;
                case FrameStatus.Incomplete:
                    return null;
                case FrameStatus.TooLarge:
                    return $"frame of {announced} bytes exceeds the maximum of {framing.MaxFrameBytes}";
                default:
                    return $"invalid frame header for {framing}";
            }
        }
        return null;
    }

    /// <summary>Closes the connection (once), logging <paramref name="reason"/> when given.</summary>
    public void Close(string? reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        if (reason is not null) SwitchLog.ConnectionClosedWithReason(_listener.Logger, Name, RemoteText, reason);
        _outbound.Close();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // already gone
        }
        _socket.Dispose();
        _pipe.Reader.CancelPendingRead();
        _pipe.Writer.CancelPendingFlush();
        _listener.OnConnectionClosed(this);
    }
}
