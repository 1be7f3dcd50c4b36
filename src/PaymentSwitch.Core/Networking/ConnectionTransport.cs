namespace PaymentSwitch.Core.Networking;

/// <summary>
/// The byte stream under one connection, plain TCP or TLS: receive into a caller's buffer, send a caller's bytes.
/// The receive side and the send side may each have one operation in flight at a time (one reader, one writer).
/// </summary>
/// <remarks>
/// Failures surface as <see cref="System.Net.Sockets.SocketException"/>, <see cref="IOException"/> or
/// <see cref="ObjectDisposedException"/> (after <see cref="Close"/>); a receive of 0 bytes means the peer closed.
/// </remarks>
internal abstract class ConnectionTransport
{
    /// <summary>True when the bytes are encrypted (TLS).</summary>
    public abstract bool IsEncrypted { get; }

    /// <summary>
    /// Completes when data can be read or the peer closed, without holding a buffer (a zero-byte read), so an idle
    /// connection costs no receive memory.
    /// </summary>
    public abstract ValueTask<int> WaitForDataAsync();

    /// <summary>Receives up to <paramref name="buffer"/>.Length bytes; 0 when the peer closed.</summary>
    public abstract ValueTask<int> ReceiveAsync(Memory<byte> buffer);

    /// <summary>Sends some or all of <paramref name="data"/>; returns how many bytes went (at least 1 unless the peer is gone).</summary>
    public abstract ValueTask<int> SendAsync(ReadOnlyMemory<byte> data);

    /// <summary>Shuts both directions and releases the socket; operations in flight fail. Safe to call more than once, from any thread.</summary>
    public abstract void Close();
}
