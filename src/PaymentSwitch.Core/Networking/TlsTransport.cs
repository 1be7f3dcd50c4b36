using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace PaymentSwitch.Core.Networking;

/// <summary>
/// TLS over a socket through an <see cref="SslStream"/>. Zero-byte reads pass through (the stream then holds no
/// buffer while it waits), so idle TLS connections stay cheap too.
/// </summary>
internal sealed class TlsTransport : ConnectionTransport
{
    private readonly Socket _socket;
    private int _closed;

    /// <summary>Wraps <paramref name="socket"/>; the handshake is the owner's job (<see cref="Stream"/>).</summary>
    public TlsTransport(Socket socket)
    {
        _socket = socket;
        Stream = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false);
    }

    public SslStream Stream { get; }

    public override bool IsEncrypted => true;

    public override ValueTask<int> WaitForDataAsync() => Stream.ReadAsync(Memory<byte>.Empty);

    public override ValueTask<int> ReceiveAsync(Memory<byte> buffer) => Stream.ReadAsync(buffer);

    public override ValueTask<int> SendAsync(ReadOnlyMemory<byte> data)
    {
        ValueTask write = Stream.WriteAsync(data);
        return write.IsCompletedSuccessfully ? new ValueTask<int>(data.Length) : AwaitWrite(write, data.Length);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // no allocation per pending write
    private static async ValueTask<int> AwaitWrite(ValueTask write, int length)
    {
        await write.ConfigureAwait(false);
        return length;
    }

    public override void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        // The socket first: reads and writes in flight fail at once, then the stream releases its TLS state.
        SocketClosing.ShutdownAndDispose(_socket);
        Stream.Dispose();
    }
}
