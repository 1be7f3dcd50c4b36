using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using PaymentSwitch.Integration.Tests.Support;
using PaymentSwitch.Iso8583;
using static PaymentSwitch.Integration.Tests.Support.Requests;

namespace PaymentSwitch.Integration.Tests;

/// <summary>
/// The acquirer listener's connection bounds over real sockets: per-source and total connection limits, idle and
/// frame (slow sender) timeouts, slow readers, requests in flight per connection, and the per-reason log rate limit.
/// Other loopback addresses (127.0.0.2, …) stand for other source hosts.
/// </summary>
public sealed partial class ConnectionLimitTests
{
    [Fact]
    public async Task Per_source_limit_refuses_new_connections_from_that_address_only()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync(overrides: ["--Acquirers:0:MaxConnectionsPerSource=3"]);
        var held = new List<SourceTerminal>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                SourceTerminal t = await SourceTerminal.ConnectAsync(sw.Acquirer, "127.0.0.2");
                held.Add(t);
                await t.AssertApprovedAsync(stan: i + 1);
            }
            await using (SourceTerminal fourth = await SourceTerminal.ConnectAsync(sw.Acquirer, "127.0.0.2"))
                Assert.True(await fourth.IsClosedBySwitchAsync(), "a fourth connection from 127.0.0.2 was served");

            await using (SourceTerminal other = await SourceTerminal.ConnectAsync(sw.Acquirer, "127.0.0.3"))
                await other.AssertApprovedAsync(stan: 10);

            await held[0].DisposeAsync();
            held.RemoveAt(0);
            await TlsAcquirerTests.WaitForConnectionCountAsync(sw, 2);
            SourceTerminal again = await SourceTerminal.ConnectAsync(sw.Acquirer, "127.0.0.2");
            held.Add(again);
            await again.AssertApprovedAsync(stan: 11);
        }
        finally
        {
            foreach (SourceTerminal t in held) await t.DisposeAsync();
        }
        Assert.Contains(sw.Logs.Lines, l => l.Contains("refused (source-limit)", StringComparison.Ordinal) && l.Contains("MaxConnectionsPerSource", StringComparison.Ordinal));
        await TlsAcquirerTests.WaitForConnectionCountAsync(sw, 0);
        Assert.Equal(0, sw.Runtime.Listeners[0].SourceCount); // the per-source table forgets closed sources
    }

    [Fact]
    public async Task Total_connection_limit_refuses_connections_past_MaxConnections()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync(overrides: ["--Acquirers:0:MaxConnections=2"]);
        await using SourceTerminal a = await SourceTerminal.ConnectAsync(sw.Acquirer, "127.0.0.2");
        await using SourceTerminal b = await SourceTerminal.ConnectAsync(sw.Acquirer, "127.0.0.3");
        await a.AssertApprovedAsync(1);
        await b.AssertApprovedAsync(2);
        await using (SourceTerminal c = await SourceTerminal.ConnectAsync(sw.Acquirer, "127.0.0.4"))
            Assert.True(await c.IsClosedBySwitchAsync());
        Assert.Contains(sw.Logs.Lines, l => l.Contains("refused (listener-full)", StringComparison.Ordinal));
        await a.AssertApprovedAsync(3);
    }

    [Fact]
    public async Task Refusal_flood_is_logged_at_a_bounded_rate_with_summaries_that_account_for_every_refusal()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync(overrides: ["--Acquirers:0:MaxConnectionsPerSource=1"]);
        await using SourceTerminal holder = await SourceTerminal.ConnectAsync(sw.Acquirer, "127.0.0.5");
        await holder.AssertApprovedAsync(1);
        const int flood = 400;
        var started = DateTime.UtcNow;
        for (int i = 0; i < flood; i++)
        {
            await using SourceTerminal refused = await SourceTerminal.ConnectAsync(sw.Acquirer, "127.0.0.5");
            Assert.True(await refused.IsClosedBySwitchAsync());
        }
        double floodSeconds = (DateTime.UtcNow - started).TotalSeconds;

        // The window ends within a second; the next sweep (at most a second later) writes the summary.
        int logged = 0, summarised = 0;
        DateTime deadline = DateTime.UtcNow.AddSeconds(5);
        do
        {
            await Task.Delay(100);
            logged = sw.Logs.Lines.Count(l => l.Contains("refused (source-limit)", StringComparison.Ordinal));
            summarised = sw.Logs.Lines.Select(l => SummaryPattern().Match(l)).Where(m => m.Success && m.Groups["reason"].Value == "source-limit")
                .Sum(m => int.Parse(m.Groups["count"].Value));
        }
        while (logged + summarised < flood && DateTime.UtcNow < deadline);
        Assert.Equal(flood, logged + summarised);                  // every refusal is either a line or counted in a summary
        Assert.InRange(logged, 1, 10 * ((int)Math.Ceiling(floodSeconds) + 2)); // at most 10 a second (+ window edges)
        Assert.True(summarised > 0);
        Assert.True(sw.Runtime.Listeners[0].SuppressedLogLines >= summarised);
        await holder.AssertApprovedAsync(2);
    }

    [Fact]
    public async Task Idle_connection_is_closed_after_the_idle_timeout_and_an_active_one_is_not()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync(overrides: ["--Acquirers:0:IdleTimeoutMs=400"]);
        await using SourceTerminal silent = await SourceTerminal.ConnectAsync(sw.Acquirer, "127.0.0.2");
        await using SourceTerminal active = await SourceTerminal.ConnectAsync(sw.Acquirer, "127.0.0.3");
        var started = DateTime.UtcNow;
        Task<bool> silentClosed = silent.IsClosedBySwitchAsync(timeoutMs: 10_000);
        for (int stan = 1; stan <= 12; stan++)
        {
            await active.AssertApprovedAsync(stan);
            await Task.Delay(150);
        }
        Assert.True(await silentClosed);
        Assert.InRange((DateTime.UtcNow - started).TotalMilliseconds, 400, 10_000);
        Assert.Contains(sw.Logs.Lines, l => l.Contains("(idle-timeout)", StringComparison.Ordinal) && l.Contains("127.0.0.2", StringComparison.Ordinal));
        Assert.DoesNotContain(sw.Logs.Lines, l => l.Contains("(idle-timeout)", StringComparison.Ordinal) && l.Contains("127.0.0.3", StringComparison.Ordinal));
        Assert.Equal(1, sw.Runtime.Listeners[0].ConnectionCount);
    }

    [Fact]
    public async Task Slow_sender_and_lying_length_header_are_closed_at_the_frame_timeout_while_split_frames_are_fine()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync(overrides: ["--Acquirers:0:FrameTimeoutMs=400", "--Acquirers:0:IdleTimeoutMs=60000"]);
        byte[] frame = FrameOf(b => Authorisation(b, CardPan, 1000, stan: 1));

        // A slow sender: one byte every 50 ms (never idle), the frame never completes in time.
        await using SourceTerminal slow = await SourceTerminal.ConnectAsync(sw.Acquirer, "127.0.0.2");
        var started = DateTime.UtcNow;
        bool closed = false;
        for (int i = 0; i < frame.Length && !closed; i++)
        {
            closed = !await slow.TrySendAsync(frame.AsMemory(i, 1));
            if (!closed) await Task.Delay(50);
            closed |= (DateTime.UtcNow - started).TotalMilliseconds > 10_000;
        }
        Assert.True(await slow.IsClosedBySwitchAsync());
        Assert.InRange((DateTime.UtcNow - started).TotalMilliseconds, 400, 10_000);

        // A length header announcing 500 bytes, then 10 sent.
        await using SourceTerminal liar = await SourceTerminal.ConnectAsync(sw.Acquirer, "127.0.0.3");
        byte[] lie = new byte[12];
        lie[0] = 0x01; lie[1] = 0xF4; // 500
        "0100ABCDEF"u8.CopyTo(lie.AsSpan(2));
        Assert.True(await liar.TrySendAsync(lie));
        Assert.True(await liar.IsClosedBySwitchAsync());

        // Frames split over writes (each part in time) are served as usual.
        await using SourceTerminal honest = await SourceTerminal.ConnectAsync(sw.Acquirer, "127.0.0.4");
        for (int stan = 1; stan <= 5; stan++)
        {
            byte[] f = FrameOf(b => Authorisation(b, CardPan, 1000, stan));
            Assert.True(await honest.TrySendAsync(f.AsMemory(0, f.Length / 2)));
            await Task.Delay(150);
            Assert.True(await honest.TrySendAsync(f.AsMemory(f.Length / 2)));
            IsoMessage reply = (await honest.ReceiveAsync())!;
            Assert.Equal("00", Text(reply, 39));
        }
        Assert.Equal(2, sw.Logs.Lines.Count(l => l.Contains("(frame-timeout)", StringComparison.Ordinal)));
        Assert.Equal(1, sw.Runtime.Listeners[0].ConnectionCount);
    }

    [Fact]
    public async Task Peer_that_does_not_read_its_replies_is_closed_at_the_write_buffer_bound()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync(overrides: ["--Acquirers:0:MaxWriteBufferBytes=65536"]);
        await using SourceTerminal deaf = await SourceTerminal.ConnectAsync(sw.Acquirer, "127.0.0.2", receiveBufferBytes: 4096);
        byte[] echo = FrameOf(b => b.Reset(Mti.NetworkManagementRequest).SetString(7, "0101120000").SetNumber(11, 1).SetNumber(70, 301));
        byte[] batch = new byte[echo.Length * 1000];
        for (int i = 0; i < 1000; i++) echo.CopyTo(batch, i * echo.Length);
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !sw.Logs.Lines.Any(l => l.Contains("(slow-reader)", StringComparison.Ordinal)))
            if (!await deaf.TrySendAsync(batch)) break;
        Assert.Contains(sw.Logs.Lines, l => l.Contains("(slow-reader)", StringComparison.Ordinal) && l.Contains("65536 bytes unsent", StringComparison.Ordinal));
        await TlsAcquirerTests.WaitForConnectionCountAsync(sw, 0);
    }

    [Fact]
    public async Task Requests_past_MaxInFlightPerConnection_are_answered_91_at_once()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync(card: o => o.LatencyMs = 400, overrides: ["--Acquirers:0:MaxInFlightPerConnection=2"]);
        await using SourceTerminal t = await SourceTerminal.ConnectAsync(sw.Acquirer, "127.0.0.2");
        var batch = new List<byte>();
        for (int stan = 1; stan <= 5; stan++) batch.AddRange(FrameOf(b => Authorisation(b, CardPan, 1000, stan)));
        Assert.True(await t.TrySendAsync(batch.ToArray()));
        var codes = new Dictionary<string, int>();
        for (int i = 0; i < 5; i++)
        {
            IsoMessage reply = (await t.ReceiveAsync())!;
            string code = Text(reply, 39);
            codes[code] = codes.GetValueOrDefault(code) + 1;
        }
        Assert.Equal(2, codes.GetValueOrDefault("00"));
        Assert.Equal(3, codes.GetValueOrDefault("91"));
        Assert.Equal(2, sw.Card.Ledger.ApprovedCount);
    }

    [Fact]
    public void Validator_names_each_wrong_connection_bound()
    {
        var options = new PaymentSwitch.Core.Configuration.SwitchOptions
        {
            Acquirers = [new PaymentSwitch.Core.Configuration.AcquirerOptions { Name = "pos", MaxConnectionsPerSource = 0, IdleTimeoutMs = 50, FrameTimeoutMs = 0 }],
        };
        IReadOnlyList<string> errors = PaymentSwitch.Core.Configuration.SwitchOptionsValidator.Validate(options, ["iso87-ascii"]);
        Assert.Contains(errors, e => e.StartsWith("Acquirers:0:MaxConnectionsPerSource:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Acquirers:0:IdleTimeoutMs:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Acquirers:0:FrameTimeoutMs:", StringComparison.Ordinal));

        options.Acquirers[0] = new PaymentSwitch.Core.Configuration.AcquirerOptions { Name = "pos", MaxConnectionsPerSource = 10, IdleTimeoutMs = 0, FrameTimeoutMs = 1000 };
        Assert.DoesNotContain(PaymentSwitch.Core.Configuration.SwitchOptionsValidator.Validate(options, ["iso87-ascii"]),
            e => e.Contains("MaxConnectionsPerSource", StringComparison.Ordinal) || e.Contains("TimeoutMs", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"(?<count>\d+) more '(?<reason>[a-z-]+)' connection events")]
    private static partial Regex SummaryPattern();

    private static byte[] FrameOf(Action<IsoMessageBuilder> build)
    {
        var builder = new IsoMessageBuilder(RunningSwitch.Ascii);
        build(builder);
        var writer = new ArrayBufferWriter<byte>();
        builder.WriteFrame(writer, new Framing(FrameHeader.Len2));
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>A terminal whose connection comes from a chosen loopback address (another "source host").</summary>
    private sealed class SourceTerminal : IAsyncDisposable
    {
        private readonly Socket _socket;
        private readonly PipeReader _reader;
        private readonly IsoMessageBuilder _builder = new(RunningSwitch.Ascii);
        private readonly Framing _framing = new(FrameHeader.Len2);

        private SourceTerminal(Socket socket)
        {
            _socket = socket;
            _reader = PipeReader.Create(new NetworkStream(socket, ownsSocket: false));
        }

        public static async Task<SourceTerminal> ConnectAsync(IPEndPoint target, string source, int receiveBufferBytes = 0)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            if (receiveBufferBytes > 0) socket.ReceiveBufferSize = receiveBufferBytes;
            socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
            await socket.ConnectAsync(target);
            return new SourceTerminal(socket);
        }

        public async Task<bool> TrySendAsync(ReadOnlyMemory<byte> bytes)
        {
            try
            {
                while (!bytes.IsEmpty)
                {
                    int sent = await _socket.SendAsync(bytes, SocketFlags.None);
                    bytes = bytes[sent..];
                }
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }

        public async Task AssertApprovedAsync(int stan)
        {
            Authorisation(_builder, CardPan, 1000, stan);
            var writer = new ArrayBufferWriter<byte>();
            _builder.WriteFrame(writer, _framing);
            Assert.True(await TrySendAsync(writer.WrittenMemory));
            IsoMessage? reply = await ReceiveAsync();
            Assert.NotNull(reply);
            Assert.Equal("00", Text(reply, 39));
            Assert.Equal(stan.ToString("D6"), Text(reply, 11));
        }

        public async Task<IsoMessage?> ReceiveAsync(int timeoutMs = 10_000)
        {
            using var timeout = new CancellationTokenSource(timeoutMs);
            while (true)
            {
                ReadResult result = await _reader.ReadAsync(timeout.Token);
                ReadOnlySequence<byte> buffer = result.Buffer;
                if (_framing.TryReadFrame(ref buffer, out ReadOnlySequence<byte> frame, out _, out _) == FrameStatus.Complete)
                {
                    byte[] copy = frame.ToArray();
                    _reader.AdvanceTo(buffer.Start);
                    var message = new IsoMessage();
                    Assert.True(message.TryParse(copy, RunningSwitch.Ascii, out ParseError error), error.ToString());
                    return message;
                }
                _reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted) return null;
            }
        }

        /// <summary>True when the switch closes the connection (end of stream or reset) within the timeout, sending nothing.</summary>
        public async Task<bool> IsClosedBySwitchAsync(int timeoutMs = 5000)
        {
            try
            {
                return await ReceiveAsync(timeoutMs) is null;
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _reader.CompleteAsync();
            _socket.Dispose();
        }
    }
}
