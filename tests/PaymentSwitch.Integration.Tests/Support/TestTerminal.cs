using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Integration.Tests.Support;

/// <summary>
/// A POS terminal or acquirer host for tests: a real TCP connection, plain or TLS (<see cref="TlsTestTerminal"/>), that
/// writes and reads framed ISO 8583.
/// </summary>
internal sealed class TestTerminal : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly PipeReader _reader;
    private readonly Dialect _dialect;
    private readonly Framing _framing;

    /// <summary>Over <paramref name="stream"/>, which it owns (a <see cref="NetworkStream"/> owning its socket, or TLS over one).</summary>
    internal TestTerminal(Stream stream, Dialect dialect, Framing framing)
    {
        _stream = stream;
        _reader = PipeReader.Create(_stream);
        _dialect = dialect;
        _framing = framing;
        Builder = new IsoMessageBuilder(dialect);
    }

    public IsoMessageBuilder Builder { get; }

    /// <summary>The TLS session of a terminal made by <see cref="TlsTestTerminal"/>; null for plain TCP.</summary>
    public SslStream? Tls => _stream as SslStream;

    public static async Task<TestTerminal> ConnectAsync(IPEndPoint endpoint, Dialect dialect, Framing? framing = null)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endpoint);
        return new TestTerminal(new NetworkStream(socket, ownsSocket: true), dialect, framing ?? new Framing(FrameHeader.Len2));
    }

    /// <summary>Sends what <see cref="Builder"/> holds, framed.</summary>
    public async Task SendAsync()
    {
        var writer = new ArrayBufferWriter<byte>();
        Builder.WriteFrame(writer, _framing);
        await _stream.WriteAsync(writer.WrittenMemory);
        await _stream.FlushAsync();
    }

    /// <summary>Sends raw bytes exactly as given (for malformed input).</summary>
    public async Task SendRawAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>Reads the next reply; null when the switch closed the connection.</summary>
    public async Task<IsoMessage?> ReceiveAsync(int timeoutMs = 10_000)
    {
        using var timeout = new CancellationTokenSource(timeoutMs);
        while (true)
        {
            ReadResult result = await _reader.ReadAsync(timeout.Token);
            ReadOnlySequence<byte> buffer = result.Buffer;
            FrameStatus status = _framing.TryReadFrame(ref buffer, out ReadOnlySequence<byte> frame, out _, out _);
            if (status == FrameStatus.Complete)
            {
                byte[] copy = frame.ToArray();
                _reader.AdvanceTo(buffer.Start);
                var message = new IsoMessage();
                if (!message.TryParse(copy, _dialect, out ParseError error)) throw new InvalidDataException("reply does not parse: " + error);
                return message;
            }
            _reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted) return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync();
        await _stream.DisposeAsync();
    }
}
