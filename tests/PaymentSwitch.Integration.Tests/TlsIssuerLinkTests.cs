using System.Net;
using Microsoft.Extensions.Logging;
using PaymentSwitch.Core.Configuration;
using PaymentSwitch.Core.Issuers;
using PaymentSwitch.Integration.Tests.Support;
using PaymentSwitch.Iso8583;
using PaymentSwitch.Simulators;
using static PaymentSwitch.Integration.Tests.Support.Requests;

namespace PaymentSwitch.Integration.Tests;

/// <summary>
/// TLS on card issuer links: a TLS front (real SslStream, mutual TLS) relays to a card issuer simulator, so the link
/// must handshake, present its client certificate and sign on through TLS before any traffic flows.
/// </summary>
public sealed class TlsIssuerLinkTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("paymentswitch-tls-issuer-").FullName;
    private readonly TlsTestCa _ca;
    private readonly TlsTestCertificate _issuer;
    private readonly TlsTestCertificate _switchClient;

    public TlsIssuerLinkTests()
    {
        _ca = TlsTestCa.Create(_directory);
        _issuer = _ca.IssueServer("issuer.test", "issuer.test");
        _switchClient = _ca.IssueClient("switch-client");
    }

    [Fact]
    public async Task Card_issuer_link_signs_on_and_carries_an_approval_over_mutual_TLS()
    {
        await using var issuer = new CardIssuerSimulator(new CardIssuerSimulatorOptions { ListenEndPoint = new IPEndPoint(IPAddress.Loopback, 0), Dialect = RunningSwitch.Ascii });
        await issuer.StartAsync();
        await using var front = new TlsIssuerProxy(issuer.EndPoint!, _issuer.Certificate, _ca.Certificate, requireClientCertificate: true);

        // StartAsync returns once every routed issuer is signed on: here only possible through the TLS front.
        await using RunningSwitch sw = await RunningSwitch.StartAsync(overrides:
        [
            $"--Issuers:0:Endpoints:0={front.EndPoint}",
            "--Issuers:0:Tls:Enabled=true",
            "--Issuers:0:Tls:ServerName=issuer.test",
            $"--Issuers:0:Tls:TrustedCaFile={_ca.CertificateFile}",
            $"--Issuers:0:Tls:CertificateFile={_switchClient.CertificateFile}",
            $"--Issuers:0:Tls:KeyFile={_switchClient.KeyFile}",
        ]);
        Assert.True(front.Handshakes >= 1);
        Assert.Equal(0, front.Failures);
        Assert.Contains("CN=switch-client, O=PaymentSwitch tests", front.ClientSubjects);
        Assert.Contains(sw.Logs.Lines, l => l.Contains("TLS", StringComparison.Ordinal) && l.Contains("established with 'CN=issuer.test", StringComparison.Ordinal));
        Assert.Contains(sw.Logs.Lines, l => l.Contains("signed on", StringComparison.Ordinal));

        await using TestTerminal terminal = await sw.ConnectAsync();
        Authorisation(terminal.Builder, CardPan, 4200, stan: 1);
        await terminal.SendAsync();
        IsoMessage reply = (await terminal.ReceiveAsync())!;
        Assert.Equal("00", Text(reply, 39));
        Assert.Equal(1, issuer.Ledger.ApprovedCount);   // it went through the TLS front to this issuer
        Assert.Equal(0, sw.Card.Ledger.ApprovedCount);  // not to the switch's default simulator
    }

    [Theory]
    [InlineData("rogue-ca", "issuer.test", "is not trusted")]
    [InlineData("right-ca", "other-issuer.test", "does not name the expected host")]
    public async Task Card_issuer_link_refuses_an_issuer_certificate_it_does_not_trust(string which, string serverName, string expectedReason)
    {
        await using var issuer = new CardIssuerSimulator(new CardIssuerSimulatorOptions { ListenEndPoint = new IPEndPoint(IPAddress.Loopback, 0), Dialect = RunningSwitch.Ascii });
        await issuer.StartAsync();
        using TlsTestCa rogue = TlsTestCa.Create(Directory.CreateDirectory(Path.Combine(_directory, "rogue")).FullName, "Rogue CA");
        TlsTestCertificate presented = which == "rogue-ca" ? rogue.IssueServer("issuer.test", "issuer.test") : _issuer;
        await using var front = new TlsIssuerProxy(issuer.EndPoint!, presented.Certificate, _ca.Certificate, requireClientCertificate: false);

        var logs = new CapturedLogs();
        using ILoggerFactory loggers = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        var options = new IssuerOptions
        {
            Id = "card-tls",
            Endpoints = [front.EndPoint.ToString()],
            Connections = 1,
            ReconnectInitialMs = 50,
            ReconnectMaxMs = 200,
            Tls = new TlsOptions { Enabled = true, ServerName = serverName, TrustedCaFile = _ca.CertificateFile, HandshakeTimeoutMs = 10_000 },
        };
        var link = new CardIssuerLink(options, RunningSwitch.Ascii, loggers.CreateLogger("test.link"));
        link.Start();
        try
        {
            DateTime deadline = DateTime.UtcNow.AddSeconds(20);
            while (!logs.Lines.Any(l => l.Contains("TLS handshake failed", StringComparison.Ordinal) && l.Contains(expectedReason, StringComparison.Ordinal))
                   && DateTime.UtcNow < deadline)
                await Task.Delay(20);
            await Task.Delay(300); // a few reconnect attempts
            Assert.False(link.HasReadyConnection);
            IssuerConnectionStatus status = Assert.Single(link.GetConnections());
            Assert.NotEqual(IssuerLinkState.Ready, status.State);
            // The status page shows why (the latest attempt's reason; under heavy load an attempt may also time out).
            Assert.True((status.LastError ?? "").StartsWith("TLS handshake failed", StringComparison.Ordinal), $"last error: {status.LastError}");
            Assert.True(logs.Lines.Any(l => l.Contains("TLS handshake failed", StringComparison.Ordinal) && l.Contains(expectedReason, StringComparison.Ordinal)), logs.All);
            Assert.DoesNotContain(logs.Lines, l => l.Contains("established", StringComparison.Ordinal) || l.Contains("signed on", StringComparison.Ordinal));
            Assert.Equal(0, issuer.ConnectionCount); // nothing was ever relayed: the link gave up before sending a byte of ISO 8583
        }
        finally
        {
            await link.DisposeAsync();
        }
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
