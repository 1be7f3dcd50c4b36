using System.Net;
using PaymentSwitch.Iso8583;
using PaymentSwitch.Simulators.Tests.Support;

namespace PaymentSwitch.Simulators.Tests;

public sealed class CardWireTests
{
    [Fact]
    public async Task Speaks_BCD_with_len4_ascii_framing_and_a_TPDU()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync(o =>
        {
            o.Dialect = null;
            o.DialectName = "iso87-bcd";
            o.DialectDirectory = TestDialects.Directory;
            o.FramingName = "len4-ascii";
            o.Tpdu = true;
        });
        Assert.Equal("iso87-bcd", simulator.Dialect!.Name);
        await using IsoTestClient client = await simulator.ConnectAsync();
        var tpdu = new Tpdu(0x60, 0x0001, 0x0203);
        await client.SendAsync(Requests.Authorisation(42, 999, dialect: TestDialects.Bcd), tpdu);

        ReceivedFrame? frame = await client.ReceiveAsync();
        Assert.NotNull(frame);
        Assert.Equal(tpdu.ForReply(), frame.Tpdu);
        IsoMessage answer = frame.Parse(TestDialects.Bcd);
        Assert.Equal(Mti.AuthorisationResponse, answer.Mti);
        Assert.Equal("00", answer.Text(39));
        Assert.Equal(Requests.Pan, answer.Text(2));
        Assert.Equal("000000000999", answer.Text(4));
        Assert.Equal("000042", answer.Text(11));
    }

    [Fact]
    public async Task The_default_dialect_folder_is_found_next_to_the_executable()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync(o => o.Dialect = null);
        Assert.Equal("iso87-ascii", simulator.Dialect!.Name);
    }

    [Fact]
    public async Task A_malformed_message_with_a_readable_MTI_is_answered_30_and_the_connection_goes_on()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync();
        await using IsoTestClient client = await simulator.ConnectAsync();
        byte[] message = new byte[512];
        int length = Requests.Authorisation(1, 100).WriteMessage(message);
        byte[] truncated = message.AsSpan(0, length - 5).ToArray();
        byte[] frame = new byte[truncated.Length + 2];
        frame[0] = (byte)(truncated.Length >> 8);
        frame[1] = (byte)truncated.Length;
        truncated.CopyTo(frame, 2);
        await client.SendRawAsync(frame);

        IsoMessage answer = await client.ReceiveMessageAsync(TestDialects.Ascii);
        Assert.Equal((Mti.AuthorisationResponse, "30"), (answer.Mti, answer.Text(39)));

        await client.SendAsync(Requests.Authorisation(2, 100));
        Assert.Equal("00", (await client.ReceiveMessageAsync(TestDialects.Ascii)).Text(39));
        Assert.Equal(1, simulator.Ledger.InvalidRequestCount);
    }

    [Fact]
    public async Task A_frame_larger_than_the_limit_closes_the_connection()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync();
        await using IsoTestClient client = await simulator.ConnectAsync();
        await client.SendRawAsync([0xFF, 0xF0, (byte)'0', (byte)'1']);
        Assert.Null(await client.ReceiveAsync());
    }

    [Fact]
    public async Task Keep_alive_frames_are_ignored()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync();
        await using IsoTestClient client = await simulator.ConnectAsync();
        await client.SendRawAsync([0, 0, 0, 0]);
        await client.SendAsync(Requests.Authorisation(9, 1));
        Assert.Equal("000009", (await client.ReceiveMessageAsync(TestDialects.Ascii)).Text(11));
    }

    [Fact]
    public async Task Frames_split_across_reads_are_reassembled()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync();
        await using IsoTestClient client = await simulator.ConnectAsync();
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        Requests.Authorisation(1, 1).WriteFrame(buffer, Framing.Parse("len2"));
        Requests.Authorisation(2, 2).WriteFrame(buffer, Framing.Parse("len2"));
        byte[] bytes = buffer.WrittenSpan.ToArray();
        foreach (byte[] piece in bytes.Chunk(7))
        {
            await client.SendRawAsync(piece);
            await Task.Delay(2);
        }
        Assert.Equal("000001", (await client.ReceiveMessageAsync(TestDialects.Ascii)).Text(11));
        Assert.Equal("000002", (await client.ReceiveMessageAsync(TestDialects.Ascii)).Text(11));
    }

    [Fact]
    public async Task Connections_beyond_the_limit_are_refused()
    {
        await using CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync(o => o.MaxConnections = 1);
        await using IsoTestClient first = await simulator.ConnectAsync();
        await first.SendAsync(Requests.Authorisation(1, 1));
        await first.ReceiveMessageAsync(TestDialects.Ascii);
        await using IsoTestClient second = await simulator.ConnectAsync();
        Assert.Null(await second.ReceiveAsync());
    }

    [Fact]
    public async Task Stopping_closes_open_connections()
    {
        CardIssuerSimulator simulator = await SimulatorFactory.StartCardAsync(o => o.LatencyMs = 60_000);
        await using IsoTestClient client = await simulator.ConnectAsync();
        await client.SendAsync(Requests.Authorisation(1, 1));
        // The accept loop registers the connection on its own schedule: wait for it (a hang guard, not a speed bound).
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (simulator.ConnectionCount == 0 && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.Equal(1, simulator.ConnectionCount);
        await simulator.DisposeAsync();
        Assert.Null(await client.ReceiveAsync());
        Assert.Equal(0, simulator.ConnectionCount);
    }

    [Fact]
    public async Task Starting_on_a_port_in_use_fails_clearly()
    {
        await using CardIssuerSimulator first = await SimulatorFactory.StartCardAsync();
        var second = new CardIssuerSimulator(new CardIssuerSimulatorOptions { ListenEndPoint = first.EndPoint!, Dialect = TestDialects.Ascii });
        await Assert.ThrowsAsync<System.Net.Sockets.SocketException>(() => second.StartAsync());
        await second.DisposeAsync();
    }

    [Fact]
    public void Bad_options_are_refused_at_construction()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CardIssuerSimulator(new CardIssuerSimulatorOptions { LatencyMs = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CardIssuerSimulator(new CardIssuerSimulatorOptions { ApprovalIndexMaxEntries = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CardIssuerSimulator(new CardIssuerSimulatorOptions { MaxPendingRepliesPerConnection = 0 }));
        Assert.ThrowsAny<ArgumentException>(() => new CardIssuerSimulator(new CardIssuerSimulatorOptions { ListenEndPoint = new IPEndPoint(IPAddress.Loopback, 0), Fault = null! }));
    }
}
