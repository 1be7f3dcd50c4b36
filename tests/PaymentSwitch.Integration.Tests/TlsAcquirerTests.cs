using System.Net.Sockets;
using System.Security.Authentication;
using PaymentSwitch.Integration.Tests.Support;
using PaymentSwitch.Iso8583;
using static PaymentSwitch.Integration.Tests.Support.Requests;

namespace PaymentSwitch.Integration.Tests;

/// <summary>
/// TLS on the acquirer listener, over real sockets: the tests make their own CA, issue a server and client certificates
/// into a temp folder, and point the switch's settings at the files.
/// </summary>
public sealed class TlsAcquirerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("paymentswitch-tls-").FullName;
    private readonly TlsTestCa _ca;
    private readonly TlsTestCertificate _server;
    private readonly TlsTestCertificate _client;

    public TlsAcquirerTests()
    {
        _ca = TlsTestCa.Create(_directory);
        _server = _ca.IssueServer("switch.test", "localhost", "127.0.0.1");
        _client = _ca.IssueClient("terminal-0001");
    }

    private string[] MutualTls(params string[] more) =>
    [
        "--Acquirers:0:Tls:Enabled=true",
        $"--Acquirers:0:Tls:CertificateFile={_server.CertificateFile}",
        $"--Acquirers:0:Tls:KeyFile={_server.KeyFile}",
        $"--Acquirers:0:Tls:TrustedCaFile={_ca.CertificateFile}",
        "--Acquirers:0:Tls:RequireClientCertificate=true",
        .. more,
    ];

    [Fact]
    public async Task Authorisation_is_approved_over_mutual_TLS_with_PEM_certificate_and_key_files()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync(overrides: MutualTls());
        Assert.True(sw.Runtime.Listeners[0].IsTls);
        await using TestTerminal terminal = await TlsTestTerminal.ConnectAsync(sw.Acquirer, RunningSwitch.Ascii, _ca.Certificate, _client.Certificate);
        Assert.True(terminal.Tls!.IsMutuallyAuthenticated);
        Assert.Equal("CN=switch.test, O=PaymentSwitch tests", terminal.Tls!.RemoteCertificate!.Subject);

        for (int stan = 1; stan <= 3; stan++)
        {
            Authorisation(terminal.Builder, CardPan, 1000 + stan, stan);
            await terminal.SendAsync();
            IsoMessage reply = (await terminal.ReceiveAsync())!;
            Assert.NotNull(reply);
            Assert.Equal("00", Text(reply, 39));
            Assert.Equal(stan.ToString("D6"), Text(reply, 11));
        }
        Assert.Equal(3, sw.Card.Ledger.ApprovedCount);
        Assert.DoesNotContain(CardPan, sw.Logs.All);
        Assert.Contains(sw.Logs.Lines, l => l.Contains("uses TLS", StringComparison.Ordinal) && l.Contains("required, chained to TrustedCaFile", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Authorisation_is_approved_over_TLS_with_a_PFX_server_certificate_and_no_client_certificate()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync(overrides:
        [
            "--Acquirers:0:Tls:Enabled=true",
            $"--Acquirers:0:Tls:CertificateFile={_server.PfxFile}",
            $"--Acquirers:0:Tls:CertificatePassword={_server.PfxPassword}",
        ]);
        await using TestTerminal terminal = await TlsTestTerminal.ConnectAsync(sw.Acquirer, RunningSwitch.Ascii, _ca.Certificate, clientCertificate: null);
        Assert.False(terminal.Tls!.IsMutuallyAuthenticated);
        Authorisation(terminal.Builder, CardPan, 2500, stan: 7);
        await terminal.SendAsync();
        IsoMessage reply = (await terminal.ReceiveAsync())!;
        Assert.Equal("00", Text(reply, 39));
        Assert.DoesNotContain(_server.PfxPassword, sw.Logs.All);
    }

    [Fact]
    public async Task Client_without_the_required_certificate_or_from_another_CA_is_refused_and_others_carry_on()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync(overrides: MutualTls());
        await using TestTerminal good = await TlsTestTerminal.ConnectAsync(sw.Acquirer, RunningSwitch.Ascii, _ca.Certificate, _client.Certificate);
        await AssertApprovedAsync(good, stan: 1);

        Assert.True(await IsRefusedAsync(() => TlsTestTerminal.ConnectAsync(sw.Acquirer, RunningSwitch.Ascii, _ca.Certificate, clientCertificate: null)),
            "a client without a certificate got an answer");

        string rogueDirectory = Directory.CreateDirectory(Path.Combine(_directory, "rogue")).FullName;
        using TlsTestCa rogue = TlsTestCa.Create(rogueDirectory, "Rogue CA");
        TlsTestCertificate impostor = rogue.IssueClient("terminal-0001");
        Assert.True(await IsRefusedAsync(() => TlsTestTerminal.ConnectAsync(sw.Acquirer, RunningSwitch.Ascii, _ca.Certificate, impostor.Certificate)),
            "a client with a certificate from another CA got an answer");

        await AssertApprovedAsync(good, stan: 2); // the good connection never noticed
        Assert.Equal(2, sw.Card.Ledger.ApprovedCount);
        Assert.Contains(sw.Logs.Lines, l => l.Contains("(tls-handshake-failed)", StringComparison.Ordinal) && l.Contains("presented no certificate", StringComparison.Ordinal));
        Assert.Contains(sw.Logs.Lines, l => l.Contains("(tls-handshake-failed)", StringComparison.Ordinal) && l.Contains("is not trusted", StringComparison.Ordinal));
        await WaitForConnectionCountAsync(sw, 1);
    }

    [Fact]
    public async Task Plain_TCP_client_on_the_TLS_port_is_closed_with_a_logged_reason()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync(overrides: MutualTls());
        await using TestTerminal plain = await sw.ConnectAsync();
        Authorisation(plain.Builder, CardPan, 1000, stan: 1);
        await plain.SendAsync();
        Assert.Null(await ReceiveOrNullWhenClosedAsync(plain));
        Assert.Contains(sw.Logs.Lines, l => l.Contains("(plain-tcp-on-tls-port)", StringComparison.Ordinal) && l.Contains("does not start a TLS handshake", StringComparison.Ordinal));

        await using TestTerminal good = await TlsTestTerminal.ConnectAsync(sw.Acquirer, RunningSwitch.Ascii, _ca.Certificate, _client.Certificate);
        await AssertApprovedAsync(good, stan: 2);
        Assert.Equal(1, sw.Card.Ledger.ApprovedCount);
    }

    [Fact]
    public async Task Client_that_stalls_in_the_handshake_is_closed_after_the_handshake_timeout()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync(overrides: MutualTls("--Acquirers:0:Tls:HandshakeTimeoutMs=300"));
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(sw.Acquirer);
        await socket.SendAsync(new byte[] { 0x16, 0x03, 0x01 }); // the start of a ClientHello record, then nothing
        var started = DateTime.UtcNow;
        int received;
        try
        {
            using var guard = new CancellationTokenSource(10_000);
            received = await socket.ReceiveAsync(new byte[16], SocketFlags.None, guard.Token);
        }
        catch (SocketException)
        {
            received = 0; // reset: closed as well
        }
        double elapsedMs = (DateTime.UtcNow - started).TotalMilliseconds;
        Assert.Equal(0, received);
        Assert.InRange(elapsedMs, 250, 5000);
        Assert.Contains(sw.Logs.Lines, l => l.Contains("(tls-handshake-timeout)", StringComparison.Ordinal));
        await WaitForConnectionCountAsync(sw, 0);
    }

    private static async Task AssertApprovedAsync(TestTerminal terminal, int stan)
    {
        Authorisation(terminal.Builder, CardPan, 1000, stan);
        await terminal.SendAsync();
        IsoMessage? reply = await terminal.ReceiveAsync();
        Assert.NotNull(reply);
        Assert.Equal("00", Text(reply, 39));
        Assert.Equal(stan.ToString("D6"), Text(reply, 11));
    }

    /// <summary>
    /// True when the switch refuses the client: the handshake fails, or (TLS 1.3, where the client finishes its side
    /// before the server has judged its certificate) the first request gets no answer because the connection is closed.
    /// </summary>
    private static async Task<bool> IsRefusedAsync(Func<Task<TestTerminal>> connect)
    {
        try
        {
            await using TestTerminal terminal = await connect();
            Authorisation(terminal.Builder, CardPan, 1000, stan: 99);
            await terminal.SendAsync();
            return await terminal.ReceiveAsync(5000) is null;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or SocketException)
        {
            return true;
        }
    }

    private static async Task<IsoMessage?> ReceiveOrNullWhenClosedAsync(TestTerminal terminal)
    {
        try
        {
            return await terminal.ReceiveAsync(5000);
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            return null; // reset by the switch
        }
    }

    internal static async Task WaitForConnectionCountAsync(RunningSwitch sw, int expected, int timeoutMs = 5000)
    {
        DateTime deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (sw.Runtime.Listeners[0].ConnectionCount != expected && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(expected, sw.Runtime.Listeners[0].ConnectionCount);
    }

    public void Dispose()
    {
        _ca.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}
