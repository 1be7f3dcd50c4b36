using System.Net.Sockets;

namespace PaymentSwitch.Core.Networking;

/// <summary>Plain TCP straight on the <see cref="Socket"/>: no stream, no copy, no allocation per operation.</summary>
internal sealed class SocketTransport : ConnectionTransport
{
    private readonly Socket _socket;
    private int _closed;

    public SocketTransport(Socket socket) => _socket = socket;

    public override bool IsEncrypted => false;

    public override ValueTask<int> WaitForDataAsync() => _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);

    public override ValueTask<int> ReceiveAsync(Memory<byte> buffer) => _socket.ReceiveAsync(buffer, SocketFlags.None);

    public override ValueTask<int> SendAsync(ReadOnlyMemory<byte> data) => _socket.SendAsync(data, SocketFlags.None);

    public override void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        SocketClosing.ShutdownAndDispose(_socket);
    }
}
