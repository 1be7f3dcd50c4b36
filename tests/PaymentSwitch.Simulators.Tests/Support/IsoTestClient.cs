using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Simulators.Tests.Support;

/// <summary>A frame received by <see cref="IsoTestClient"/>: its own copy of the message bytes and the TPDU.</summary>
internal sealed record ReceivedFrame(byte[] Message, Tpdu Tpdu)
{
    public IsoMessage Parse(Dialect dialect)
    {
        var message = new IsoMessage();
        Assert.True(message.TryParse(Message, dialect, out ParseError error), "The answer does not parse: " + error);
        return message;
    }
}

/// <summary>
/// A real TCP client for the card issuer simulator: sends framed messages, and a background reader turns the stream
/// back into frames (a null frame marks the end of the stream).
/// </summary>
internal sealed class IsoTestClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly Framing _framing;
    private readonly Channel<ReceivedFrame?> _frames = Channel.CreateUnbounded<ReceivedFrame?>();
    private readonly Task _reader;
    private readonly ArrayBufferWriter<byte> _out = new();

    private IsoTestClient(Socket socket, Framing framing)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _framing = framing;
        _reader = Task.Run(ReadLoopAsync);
    }

    public static async Task<IsoTestClient> ConnectAsync(IPEndPoint endPoint, Framing? framing = null)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint);
        return new IsoTestClient(socket, framing ?? Framing.Parse("len2"));
    }

    /// <summary>Sends one framed message.</summary>
    public Task SendAsync(IsoMessageBuilder message, Tpdu tpdu = default) => SendManyAsync([message], tpdu);

    /// <summary>Sends several framed messages in one write (pipelined).</summary>
    public async Task SendManyAsync(IEnumerable<IsoMessageBuilder> messages, Tpdu tpdu = default)
    {
        _out.Clear();
        foreach (IsoMessageBuilder message in messages) message.WriteFrame(_out, _framing, tpdu);
        await _stream.WriteAsync(_out.WrittenMemory);
    }

    /// <summary>Sends raw bytes as they are.</summary>
    public async Task SendRawAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>The next frame, or null when the server closed the connection; throws <see cref="TimeoutException"/> when none comes in time.</summary>
    public async Task<ReceivedFrame?> ReceiveAsync(int timeoutMs = 5000)
        => await _frames.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromMilliseconds(timeoutMs));

    /// <summary>The next frame, which must be an answer that parses.</summary>
    public async Task<IsoMessage> ReceiveMessageAsync(Dialect dialect, int timeoutMs = 5000)
    {
        ReceivedFrame? frame = await ReceiveAsync(timeoutMs);
        Assert.NotNull(frame);
        return frame.Parse(dialect);
    }

    /// <summary>True when nothing arrives (and the connection stays open) for <paramref name="waitMs"/>.</summary>
    public async Task<bool> NothingArrivesAsync(int waitMs)
    {
        try
        {
            await _frames.Reader.WaitToReadAsync().AsTask().WaitAsync(TimeSpan.FromMilliseconds(waitMs));
            return false;
        }
        catch (TimeoutException)
        {
            return true;
        }
    }

    private async Task ReadLoopAsync()
    {
        byte[] buffer = new byte[1 << 16];
        int count = 0;
        try
        {
            while (true)
            {
                int read = await _stream.ReadAsync(buffer.AsMemory(count));
                if (read == 0) break;
                count += read;
                var sequence = new ReadOnlySequence<byte>(buffer, 0, count);
                while (true)
                {
                    FrameStatus status = _framing.TryReadFrame(ref sequence, out ReadOnlySequence<byte> message, out Tpdu tpdu, out _);
                    if (status == FrameStatus.Incomplete) break;
                    if (status != FrameStatus.Complete) throw new InvalidDataException("The simulator sent a bad frame header: " + status);
                    _frames.Writer.TryWrite(new ReceivedFrame(message.ToArray(), tpdu));
                }
                int consumed = count - (int)sequence.Length;
                Buffer.BlockCopy(buffer, consumed, buffer, 0, count - consumed);
                count -= consumed;
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // Reset by the server: the same as closed for the tests.
        }
        _frames.Writer.TryWrite(null);
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        await _reader.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
