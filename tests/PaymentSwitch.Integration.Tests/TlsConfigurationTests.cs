using System.Security.Cryptography.X509Certificates;
using PaymentSwitch.Core.Configuration;
using PaymentSwitch.Core.Networking;
using PaymentSwitch.Integration.Tests.Support;

namespace PaymentSwitch.Integration.Tests;

/// <summary>Loading TLS certificates from real files, and what a wrong TLS setting says (setting name, file, never a secret).</summary>
public sealed class TlsConfigurationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("paymentswitch-tls-config-").FullName;
    private readonly TlsTestCa _ca;
    private readonly TlsTestCertificate _server;

    public TlsConfigurationTests()
    {
        _ca = TlsTestCa.Create(_directory);
        _server = _ca.IssueServer("switch.test", "localhost");
    }

    [Fact]
    public void Loads_PEM_with_a_key_file_PEM_with_the_key_inside_and_PFX_with_its_password()
    {
        using X509Certificate2 pem = CertificateLoader.LoadOwnCertificate(new TlsOptions { CertificateFile = _server.CertificateFile, KeyFile = _server.KeyFile }, "T", out _);
        Assert.True(pem.HasPrivateKey);
        Assert.Equal(_server.Certificate.Thumbprint, pem.Thumbprint);

        string combined = Path.Combine(_directory, "combined.pem");
        File.WriteAllText(combined, string.Join("\n", File.ReadAllText(_server.CertificateFile), File.ReadAllText(_server.KeyFile), File.ReadAllText(_ca.CertificateFile)));
        using X509Certificate2 inOne = CertificateLoader.LoadOwnCertificate(new TlsOptions { CertificateFile = combined }, "T", out X509Certificate2Collection chain);
        Assert.True(inOne.HasPrivateKey);
        Assert.Equal(_ca.Certificate.Thumbprint, Assert.Single(chain).Thumbprint); // the CA certificate in the file is sent as the chain

        using X509Certificate2 pfx = CertificateLoader.LoadOwnCertificate(new TlsOptions { CertificateFile = _server.PfxFile, CertificatePassword = _server.PfxPassword }, "T", out _);
        Assert.True(pfx.HasPrivateKey);
        Assert.Equal(_server.Certificate.Thumbprint, pfx.Thumbprint);

        X509Certificate2Collection roots = CertificateLoader.LoadTrustedCertificates(_ca.CertificateFile, "T:TrustedCaFile");
        Assert.Equal(_ca.Certificate.Thumbprint, Assert.Single(roots).Thumbprint);
    }

    [Fact]
    public void Wrong_files_and_passwords_fail_with_the_setting_named_and_no_secret_shown()
    {
        string missing = Path.Combine(_directory, "nope.pem");
        var e1 = Assert.Throws<InvalidOperationException>(() => CertificateLoader.LoadOwnCertificate(new TlsOptions { CertificateFile = missing }, "Acquirers:pos:Tls", out _));
        Assert.Equal($"Acquirers:pos:Tls:CertificateFile: '{missing}' does not exist.", e1.Message);

        var e2 = Assert.Throws<InvalidOperationException>(() => CertificateLoader.LoadOwnCertificate(new TlsOptions { CertificateFile = _server.CertificateFile }, "Acquirers:pos:Tls", out _));
        Assert.StartsWith("Acquirers:pos:Tls:CertificateFile:", e2.Message);

        var e3 = Assert.Throws<InvalidOperationException>(() =>
            CertificateLoader.LoadOwnCertificate(new TlsOptions { CertificateFile = _server.PfxFile, CertificatePassword = "wrong-secret" }, "Issuers:card:Tls", out _));
        Assert.StartsWith("Issuers:card:Tls:CertificateFile:", e3.Message);
        Assert.DoesNotContain("wrong-secret", e3.ToString());

        string notPem = Path.Combine(_directory, "ca.txt");
        File.WriteAllText(notPem, "not a certificate");
        var e4 = Assert.Throws<InvalidOperationException>(() => CertificateLoader.LoadTrustedCertificates(notPem, "Acquirers:pos:Tls:TrustedCaFile"));
        Assert.StartsWith("Acquirers:pos:Tls:TrustedCaFile:", e4.Message);
    }

    [Fact]
    public void Relative_certificate_paths_resolve_against_the_configuration_folder()
    {
        var options = new SwitchOptions
        {
            Acquirers = [new AcquirerOptions { Tls = new TlsOptions { Enabled = true, CertificateFile = "certs/server.pem", KeyFile = "/abs/key.pem" } }],
            Issuers = [new IssuerOptions { Id = "card", Tls = new TlsOptions { TrustedCaFile = "../ca.pem" } }],
        };
        TlsPaths.Resolve(options, "/etc/paymentswitch");
        Assert.Equal("/etc/paymentswitch/certs/server.pem", options.Acquirers[0].Tls.CertificateFile);
        Assert.Equal("/abs/key.pem", options.Acquirers[0].Tls.KeyFile);
        Assert.Null(options.Acquirers[0].Tls.TrustedCaFile);
        Assert.Equal("/etc/ca.pem", options.Issuers[0].Tls.TrustedCaFile);
    }

    [Fact]
    public void Validator_names_each_wrong_TLS_setting()
    {
        var options = new SwitchOptions
        {
            Acquirers = [new AcquirerOptions { Name = "pos", Tls = new TlsOptions { Enabled = true, HandshakeTimeoutMs = 5 } }],
            Issuers =
            [
                new IssuerOptions { Id = "card", Endpoints = ["127.0.0.1:7001"], Tls = new TlsOptions { Enabled = true, RequireClientCertificate = true, KeyFile = "k.pem" } },
                new IssuerOptions { Id = "wallet", Kind = "wallet", BaseUrl = "http://127.0.0.1:7002", Tls = new TlsOptions { Enabled = true } },
            ],
        };
        IReadOnlyList<string> errors = SwitchOptionsValidator.Validate(options, ["iso87-ascii"]);
        Assert.Contains(errors, e => e.StartsWith("Acquirers:0:Tls:HandshakeTimeoutMs:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Acquirers:0:Tls:CertificateFile:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Issuers:0:Tls:RequireClientCertificate:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Issuers:0:Tls:KeyFile:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Issuers:1:Tls:Enabled:", StringComparison.Ordinal));

        options.Acquirers[0].Tls = new TlsOptions { Enabled = true, CertificateFile = "server.pem" };
        options.Issuers[0].Tls = new TlsOptions { Enabled = true, TrustedCaFile = "ca.pem" };
        options.Issuers[1].Tls = new TlsOptions();
        Assert.DoesNotContain(SwitchOptionsValidator.Validate(options, ["iso87-ascii"]), e => e.Contains(":Tls:", StringComparison.Ordinal));
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
