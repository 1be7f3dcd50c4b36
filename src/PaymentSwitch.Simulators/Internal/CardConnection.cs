using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Simulators.Internal;

/// <summary>
/// One client connection of the card issuer simulator: reads every complete frame of a read, answers each one into the
/// connection's pipe, and flushes once per read. One <see cref="IsoMessage"/> and one <see cref="IsoMessageBuilder"/>
/// per connection; nothing is allocated per message while answers go out at once.
/// </summary>
/// <remarks>
/// Delayed answers (latency, jitter, the <c>late</c> fault) are written into pooled buffers of a bounded
/// <see cref="DelayedReplyQueue"/> and sent by the connection's pump when due, so answers to pipelined requests can
/// leave out of order. The simulator's <see cref="ReplyScheduler"/> wakes the pump when the earliest answer is due (no
/// timer or task per message). The reader and the pump share the pipe writer under <see cref="_writeLock"/>.
/// </remarks>
internal sealed class CardConnection : IDueTarget
{
    private const int ReadBufferBytes = 32 * 1024;

    private readonly CardIssuerContext _context;
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly IsoMessage _request = new();
    private readonly IsoMessageBuilder _reply;
    private readonly byte[] _scratch;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _abort = new();
    private readonly ILogger _logger;
    private uint _random;

    // Created on the first delayed answer.
    private DelayedReplyQueue? _delayed;
    private FixedBufferWriter? _slotWriter;
    private Channel<bool>? _pumpWake;
    private Channel<bool>? _slotFreed;
    private Task _pump = Task.CompletedTask;
    private readonly Lock _armLock = new();
    private long _armedDue = long.MaxValue;
    private volatile bool _readerDone;

    public CardConnection(long id, Socket socket, CardIssuerContext context)
    {
        Id = id;
        _socket = socket;
        _context = context;
        _logger = context.Logger;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: ReadBufferBytes, minimumReadSize: 2048, leaveOpen: true));
        _writer = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: 16 * 1024, leaveOpen: true));
        _reply = new IsoMessageBuilder(context.Dialect, 1024);
        _scratch = new byte[context.Framing.MaxFrameBytes];
        _random = (uint)HashCode.Combine(id, Stopwatch.GetTimestamp()) | 1;
    }

    public long Id { get; }

    private enum BatchOutcome : byte
    {
        /// <summary>Every complete frame was handled; read more.</summary>
        ReadMore,
        /// <summary>The delayed-answer queue is full: stop consuming until the pump frees a buffer.</summary>
        WaitForSlot,
        /// <summary>Close the connection (bad framing, or the drop fault).</summary>
        Close,
    }

    /// <summary>Serves the connection until the client closes it, it fails, or <see cref="Abort"/> is called.</summary>
    public async Task RunAsync()
    {
        Log.ConnectionOpened(_logger, Id, _socket.RemoteEndPoint);
        string reason = "closed by the client";
        bool waitForPending = true;
        try
        {
            CancellationToken abort = _abort.Token;
            while (true)
            {
                ReadResult read = await _reader.ReadAsync().ConfigureAwait(false);
                if (read.IsCanceled)
                {
                    reason = "stopped";
                    waitForPending = false;
                    break;
                }
                ReadOnlySequence<byte> buffer = read.Buffer;
                BatchOutcome outcome;
                await _writeLock.WaitAsync(abort).ConfigureAwait(false);
                try
                {
                    int written = 0;
                    outcome = ProcessBatch(ref buffer, ref written, ref reason);
                    if (written > 0)
                    {
                        FlushResult flush = await _writer.FlushAsync().ConfigureAwait(false);
                        if (flush.IsCompleted || flush.IsCanceled) outcome = BatchOutcome.Close;
                    }
                }
                finally
                {
                    _writeLock.Release();
                }

                if (outcome == BatchOutcome.WaitForSlot)
                {
                    _reader.AdvanceTo(buffer.Start);
                    while (!_delayed!.HasFree) await _slotFreed!.Reader.ReadAsync(abort).ConfigureAwait(false);
                    continue;
                }
                _reader.AdvanceTo(buffer.Start, read.Buffer.End);
                if (outcome == BatchOutcome.Close)
                {
                    waitForPending = false;
                    break;
                }
                if (read.IsCompleted)
                {
                    if (!buffer.IsEmpty) reason = "closed by the client in the middle of a frame";
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            reason = "stopped";
            waitForPending = false;
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            reason = "connection lost: " + ex.Message;
            waitForPending = false;
        }
        catch (Exception ex)
        {
            Log.ConnectionFailed(_logger, Id, ex);
            reason = "failed";
            waitForPending = false;
        }
        await CloseAsync(reason, waitForPending).ConfigureAwait(false);
    }

    /// <summary>Stops the connection: pending reads end, pending answers are not sent.</summary>
    public void Abort()
    {
        try
        {
            _abort.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
        try
        {
            _reader.CancelPendingRead();
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // Already closed.
        }
    }

    private async Task CloseAsync(string reason, bool waitForPending)
    {
        _readerDone = true;
        if (_pumpWake is not null)
        {
            if (!waitForPending) Abort();
            _pumpWake.Writer.TryWrite(true);
            await _pump.ConfigureAwait(false);
        }
        await _reader.CompleteAsync().ConfigureAwait(false);
        try
        {
            await _writer.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // Answers still buffered could not be sent: the client is gone.
        }
        await _stream.DisposeAsync().ConfigureAwait(false);
        Log.ConnectionClosed(_logger, Id, reason);
    }

    /// <summary>Handles every complete frame at the start of <paramref name="buffer"/>, leaving it at the first unhandled byte.</summary>
    private BatchOutcome ProcessBatch(ref ReadOnlySequence<byte> buffer, ref int written, ref string reason)
    {
        Framing framing = _context.Framing;
        while (true)
        {
            ReadOnlySequence<byte> before = buffer;
            FrameStatus status = framing.TryReadFrame(ref buffer, out ReadOnlySequence<byte> frame, out Tpdu tpdu, out int announced);
            if (status == FrameStatus.Incomplete) return BatchOutcome.ReadMore;
            if (status != FrameStatus.Complete) return BadFrame(status, announced, ref reason);
            if (frame.IsEmpty) continue; // a keep-alive

            FaultMode fault = _context.Fault;
            int delayMs = DelayFor(fault);
            int slot = -1;
            byte[]? slotBuffer = null;
            if (delayMs > 0)
            {
                _delayed ??= StartDelayedReplies();
                if (!_delayed.TryReserve(out slot, out slotBuffer))
                {
                    buffer = before;
                    return BatchOutcome.WaitForSlot;
                }
            }

            if (!Answer(frame, fault))
            {
                if (slot >= 0) _delayed!.Release(slot);
                continue;
            }

            switch (fault.Kind)
            {
                case FaultKind.Silent:
                    _context.Ledger.FaultedAnswer();
                    if (slot >= 0) _delayed!.Release(slot);
                    continue;
                case FaultKind.Drop when _context.ShouldDrop(fault):
                    _context.Ledger.FaultedAnswer();
                    if (slot >= 0) _delayed!.Release(slot);
                    Log.FaultDrop(_logger, Id, fault);
                    reason = "dropped by the drop fault";
                    return BatchOutcome.Close;
                case FaultKind.Garbage:
                    _context.Ledger.FaultedAnswer();
                    if (slot >= 0) _delayed!.Release(slot);
                    WriteGarbage(tpdu.ForReply());
                    written++;
                    continue;
                case FaultKind.Error:
                    _context.Ledger.FaultedAnswer();
                    break;
            }

            if (slot < 0)
            {
                _reply.WriteFrame(_writer, framing, tpdu.ForReply());
                written++;
            }
            else
            {
                _slotWriter!.Reset(slotBuffer!);
                _reply.WriteFrame(_slotWriter, framing, tpdu.ForReply());
                long due = Stopwatch.GetTimestamp() + (delayMs * Stopwatch.Frequency / 1000);
                if (_delayed!.Enqueue(slot, _slotWriter.Written, due)) Arm(due);
            }
        }
    }

    /// <summary>Parses and answers one message into <see cref="_reply"/>; false when it gets no answer.</summary>
    private bool Answer(in ReadOnlySequence<byte> frame, FaultMode fault)
    {
        ReadOnlyMemory<byte> message = Framing.Contiguous(frame, _scratch);
        if (!_request.TryParse(message, _context.Dialect, out ParseError error))
        {
            Log.MalformedMessage(_logger, Id, _request.Mti, error, _context.Dialect.Name);
            return _context.Authoriser.AnswerFormatError(_request.Mti, _reply);
        }
        bool answered = fault.Kind == FaultKind.Error
            ? CardAuthoriser.Refuse(_request, _reply)
            : _context.Authoriser.Answer(_request, _reply);
        if (_logger.IsEnabled(LogLevel.Trace)) LogHandled(answered);
        return answered;
    }

    private void LogHandled(bool answered)
        => Log.MessageHandled(_logger, Id, MessageDescriber.Summarize(_request),
            answered ? Mti.ToText(_reply.Mti) + " rc=" + System.Text.Encoding.ASCII.GetString(_reply.Get(39)) : "no answer");

    private BatchOutcome BadFrame(FrameStatus status, int announced, ref string reason)
    {
        if (status == FrameStatus.TooLarge)
        {
            Log.FrameTooLarge(_logger, Id, announced, _context.Framing.MaxFrameBytes);
            reason = "frame too large";
        }
        else
        {
            Log.InvalidFrameHeader(_logger, Id);
            reason = "invalid frame header";
        }
        _context.Ledger.InvalidRequest();
        return BatchOutcome.Close;
    }

    private int DelayFor(FaultMode fault)
    {
        if (fault.Kind == FaultKind.Late) return fault.DelayMs;
        int jitter = _context.JitterMs;
        return jitter > 0 ? _context.LatencyMs + (int)(NextRandom() % (uint)(jitter + 1)) : _context.LatencyMs;
    }

    private uint NextRandom()
    {
        uint x = _random;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        _random = x;
        return x;
    }

    /// <summary>A well-framed block of 16–64 random bytes whose first byte (0xFF) is no MTI in any dialect.</summary>
    private void WriteGarbage(Tpdu tpdu)
    {
        Framing framing = _context.Framing;
        int length = 16 + (int)(NextRandom() % 49);
        int total = framing.HeaderLength + length;
        Span<byte> span = _writer.GetSpan(total);
        framing.WriteHeader(span, length, tpdu);
        Span<byte> body = span.Slice(framing.HeaderLength, length);
        for (int i = 0; i < body.Length; i++) body[i] = (byte)NextRandom();
        body[0] = 0xFF;
        _writer.Advance(total);
    }

    private DelayedReplyQueue StartDelayedReplies()
    {
        var queue = new DelayedReplyQueue(_context.MaxPendingReplies);
        _slotWriter = new FixedBufferWriter();
        _pumpWake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true, SingleWriter = false });
        _slotFreed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true, SingleWriter = true });
        _delayed = queue;
        _pump = Task.Run(PumpAsync);
        return queue;
    }

    /// <summary>Asks the scheduler to wake the pump by <paramref name="due"/> unless it will already wake it earlier.</summary>
    private void Arm(long due)
    {
        lock (_armLock)
        {
            if (due >= _armedDue) return;
            _armedDue = due;
        }
        _context.Scheduler.Schedule(this, due);
    }

    /// <summary>The scheduler's wake-up (on its thread): only signals the pump.</summary>
    public void OnDue()
    {
        lock (_armLock) _armedDue = long.MaxValue;
        _pumpWake!.Writer.TryWrite(true);
    }

    /// <summary>Sends delayed answers when due, one flush per wake-up, until the connection ends and none wait.</summary>
    private async Task PumpAsync()
    {
        DelayedReplyQueue queue = _delayed!;
        CancellationToken abort = _abort.Token;
        try
        {
            while (true)
            {
                await _pumpWake!.Reader.ReadAsync(abort).ConfigureAwait(false);
                int sent = 0;
                await _writeLock.WaitAsync(abort).ConfigureAwait(false);
                try
                {
                    long now = Stopwatch.GetTimestamp();
                    while (queue.TryDequeueDue(now, out int slot, out byte[] bytes, out int length))
                    {
                        bytes.AsSpan(0, length).CopyTo(_writer.GetSpan(length));
                        _writer.Advance(length);
                        queue.Release(slot);
                        sent++;
                    }
                    if (sent > 0)
                    {
                        FlushResult flush = await _writer.FlushAsync(abort).ConfigureAwait(false);
                        if (flush.IsCompleted) break;
                    }
                }
                finally
                {
                    _writeLock.Release();
                }
                if (sent > 0) _slotFreed!.Writer.TryWrite(true);
                long next = queue.NextDue;
                if (next != long.MaxValue) Arm(next);
                else if (_readerDone) break;
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            Abort();
        }
        catch (Exception ex)
        {
            Log.ConnectionFailed(_logger, Id, ex);
            Abort();
        }
    }
}
