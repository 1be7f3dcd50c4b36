using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Integration.Tests.Support;

/// <summary>
/// A card issuer on a loopback port whose answers a test writes: it signs the switch on (0800 → 0810 00) and hands
/// every other request to <c>answer</c>, which fills the reply (or returns false to stay silent). ISO 8583 ASCII,
/// len2 framing. Every request it reads is kept, in order, for checks.
/// </summary>
internal sealed class ScriptedCardIssuer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<IsoMessage, IsoMessageBuilder, bool> _answer;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _acceptLoop;

    private ScriptedCardIssuer(Func<IsoMessage, IsoMessageBuilder, bool> answer)
    {
        _answer = answer;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>Requests received (not network management), as parsed messages.</summary>
    public ConcurrentQueue<IsoMessage> Requests { get; } = new();

    public static ScriptedCardIssuer Start(Func<IsoMessage, IsoMessageBuilder, bool> answer) => new(answer);

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                Socket socket = await _listener.AcceptSocketAsync(_stop.Token);
                lock (_connections) _connections.Add(ServeAsync(socket));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // stopped
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var stream = new NetworkStream(socket, ownsSocket: true);
        var builder = new IsoMessageBuilder(RunningSwitch.Ascii);
        var header = new byte[2];
        try
        {
            while (true)
            {
                await stream.ReadExactlyAsync(header, _stop.Token);
                var body = new byte[BinaryPrimitives.ReadUInt16BigEndian(header)];
                await stream.ReadExactlyAsync(body, _stop.Token);
                var request = new IsoMessage();
                if (!request.TryParse(body, RunningSwitch.Ascii, out _)) continue;
                if (request.Mti == Mti.NetworkManagementRequest)
                {
                    builder.Reset(Mti.NetworkManagementResponse).CopyFrom(request, [7, 11, 70]).SetString(39, "00");
                }
                else
                {
                    Requests.Enqueue(request);
                    builder.Reset(Mti.ResponseOf(request.Mti));
                    if (!_answer(request, builder)) continue;
                }
                var frame = new ArrayBufferWriter<byte>();
                builder.WriteFrame(frame, new Framing(FrameHeader.Len2, maxFrameBytes: 65_535));
                await stream.WriteAsync(frame.WrittenMemory, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or EndOfStreamException or SocketException or ObjectDisposedException)
        {
            // the switch closed the connection, or the test is over
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _acceptLoop;
        Task[] connections;
        lock (_connections) connections = [.. _connections];
        await Task.WhenAll(connections);
        _stop.Dispose();
    }
}
