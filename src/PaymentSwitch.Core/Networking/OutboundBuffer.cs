using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Core.Networking;

/// <summary>
/// The write side of one connection: any thread appends whole frames; one sender at a time drains everything that
/// accumulated into a single send on the connection's <see cref="ConnectionTransport"/> (the raw socket, or TLS). So
/// replies written while a send is in flight go out together (one send per batch), and frames are never interleaved.
/// Inside a <see cref="SendBatch"/> the send starts at the end of the batch, on the writing thread; otherwise it is
/// handed to the thread pool.
/// </summary>
/// <remarks>
/// Bounded: at most <c>maxBytes</c> wait to be sent. A peer that does not read its replies fills it, and the next
/// write fails (<see cref="TryWrite"/> returns false): the owner closes the connection and logs why. Buffers are rented
/// from the shared pool only while there is something to send, so an idle connection holds none.
/// </remarks>
internal sealed class OutboundBuffer : IThreadPoolWorkItem
{
    private const int InitialBytes = 4096;

    private readonly ConnectionTransport _transport;
    private readonly int _maxBytes;
    private readonly Action<string> _onFault;
    private readonly Action _onSendCompleted;
    private readonly Lock _lock = new();

    // Guarded by _lock.
    private byte[]? _pending;
    private int _pendingLength;
    private bool _sendScheduled;
    private bool _closed;

    // Owned by the single active sender.
    private byte[]? _sending;
    private int _sendingLength;
    private int _sendingOffset;
    private ValueTask<int> _sendTask;

    public OutboundBuffer(ConnectionTransport transport, int maxBytes, Action<string> onFault)
    {
        _transport = transport;
        _maxBytes = maxBytes;
        _onFault = onFault;
        _onSendCompleted = OnSendCompleted;
    }

    /// <summary>Bytes waiting to be sent (not counting a send in flight).</summary>
    public int PendingBytes => Volatile.Read(ref _pendingLength);

    /// <summary>A send is scheduled, deferred or in progress (the next write joins it instead of starting one).</summary>
    internal bool SendPending
    {
        get
        {
            lock (_lock) return _sendScheduled;
        }
    }

    /// <summary>Appends one frame. False when the connection is closed or the bound is reached.</summary>
    public bool TryWrite(ReadOnlySpan<byte> frame)
    {
        lock (_lock)
        {
            if (!TryReserve(frame.Length, out Span<byte> target)) return false;
            frame.CopyTo(target);
            Commit(frame.Length);
        }
        return true;
    }

    /// <summary>Builds one framed message straight into the buffer. False when closed or full.</summary>
    public bool TryWriteFrame(IsoMessageBuilder builder, Framing framing, Tpdu tpdu)
    {
        int messageLength = builder.MessageLength;
        int frameLength = framing.HeaderLength + messageLength;
        lock (_lock)
        {
            if (!TryReserve(frameLength, out Span<byte> target)) return false;
            framing.WriteHeader(target, messageLength, tpdu);
            builder.WriteMessage(target[framing.HeaderLength..]);
            Commit(frameLength);
        }
        return true;
    }

    /// <summary>Stops accepting writes; what is pending is dropped.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            _pendingLength = 0;
        }
    }

    private bool TryReserve(int length, out Span<byte> target)
    {
        target = default;
        if (_closed) return false;
        int needed = _pendingLength + length;
        if (needed > _maxBytes) return false;
        if (_pending is null || _pending.Length < needed) GrowPending(needed);
        target = _pending.AsSpan(_pendingLength, length);
        return true;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void GrowPending(int needed)
    {
        byte[] next = ArrayPool<byte>.Shared.Rent(Math.Min(_maxBytes, Math.Max(needed, Math.Max(InitialBytes, (_pending?.Length ?? 0) * 2))));
        if (_pending is not null)
        {
            _pending.AsSpan(0, _pendingLength).CopyTo(next);
            ArrayPool<byte>.Shared.Return(_pending);
        }
        _pending = next;
    }

    private void Commit(int length)
    {
        _pendingLength += length;
        if (_sendScheduled) return;
        _sendScheduled = true;
        if (!SendBatch.TryDefer(this)) SendOnThreadPool();
    }

    /// <summary>Hands the scheduled send to the thread pool.</summary>
    internal void SendOnThreadPool() => ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);

    void IThreadPoolWorkItem.Execute() => SendNextBatch();

    /// <summary>The end of the <see cref="SendBatch"/> that this buffer's first write joined: send now, on this thread.</summary>
    internal void SendDeferred() => SendNextBatch();

    /// <summary>Takes everything pending and sends it; repeats until nothing is left. Runs on one thread at a time.</summary>
    private void SendNextBatch()
    {
        while (true)
        {
            lock (_lock)
            {
                if (_sending is not null)
                {
                    ArrayPool<byte>.Shared.Return(_sending);
                    _sending = null;
                }
                if (_closed || _pendingLength == 0)
                {
                    _sendScheduled = false;
                    if (_pending is not null && !_closed)
                    {
                        ArrayPool<byte>.Shared.Return(_pending);
                        _pending = null;
                    }
                    return;
                }
                _sending = _pending;
                _sendingLength = _pendingLength;
                _sendingOffset = 0;
                _pending = null;
                _pendingLength = 0;
            }
            if (!ContinueSending()) return; // completes asynchronously; the callback resumes the loop
        }
    }

    /// <summary>Sends the current batch; true when it completed synchronously, false when a callback will resume.</summary>
    private bool ContinueSending()
    {
        while (_sendingOffset < _sendingLength)
        {
            ValueTask<int> task;
            try
            {
                task = _transport.SendAsync(_sending.AsMemory(_sendingOffset, _sendingLength - _sendingOffset));
            }
            catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException or NotSupportedException)
            {
                Fault(ex.Message);
                return true;
            }
            if (!task.IsCompleted)
            {
                _sendTask = task;
                task.GetAwaiter().UnsafeOnCompleted(_onSendCompleted);
                return false;
            }
            if (!Account(task)) return true;
        }
        return true;
    }

    private void OnSendCompleted()
    {
        ValueTask<int> task = _sendTask;
        _sendTask = default;
        if (!Account(task)) return;
        if (ContinueSending()) SendNextBatch();
    }

    private bool Account(ValueTask<int> task)
    {
        try
        {
            int sent = task.GetAwaiter().GetResult();
            if (sent <= 0)
            {
                Fault("the peer closed the connection");
                return false;
            }
            _sendingOffset += sent;
            Debug.Assert(_sendingOffset <= _sendingLength);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException or NotSupportedException)
        {
            Fault(ex.Message);
            return false;
        }
    }

    private void Fault(string reason)
    {
        lock (_lock)
        {
            _closed = true;
            _pendingLength = 0;
            _sendScheduled = false;
        }
        _onFault(reason);
    }
}
