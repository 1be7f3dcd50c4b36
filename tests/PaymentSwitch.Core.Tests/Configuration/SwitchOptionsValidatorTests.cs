using PaymentSwitch.Core.Configuration;

namespace PaymentSwitch.Core.Tests.Configuration;

public class SwitchOptionsValidatorTests
{
    private static readonly string[] Dialects = ["iso87-ascii", "iso87-bcd"];

    private static SwitchOptions Valid() => new()
    {
        Acquirers = [new AcquirerOptions()],
        Issuers =
        [
            new IssuerOptions { Id = "card", Kind = "card", Endpoints = ["127.0.0.1:7001"] },
            new IssuerOptions { Id = "wallet", Kind = "wallet", BaseUrl = "http://127.0.0.1:7002" },
        ],
    };

    [Fact]
    public void A_sound_configuration_has_no_errors() => Assert.Empty(SwitchOptionsValidator.Validate(Valid(), Dialects));

    [Theory]
    [InlineData(-1, false)]
    [InlineData(0, true)]
    [InlineData(10, true)]
    [InlineData(300, true)]
    [InlineData(301, false)]
    public void The_warm_up_limit_is_0_to_300_seconds(int seconds, bool accepted)
    {
        SwitchOptions options = Valid();
        options.Switch.WarmUpMaxSeconds = seconds;
        IReadOnlyList<string> errors = SwitchOptionsValidator.Validate(options, Dialects);
        if (accepted) Assert.Empty(errors);
        else Assert.Equal($"Switch:WarmUpMaxSeconds: must be 0..300 (is {seconds}).", Assert.Single(errors));
    }

    [Fact]
    public void Each_error_names_the_setting_and_what_is_wrong()
    {
        SwitchOptions options = Valid();
        options.Acquirers[0].Listen = "nowhere";
        options.Acquirers[0].Dialect = "iso93";
        options.Issuers[0].TimeoutMs = -5;
        options.Issuers[0].Endpoints = ["127.0.0.1"];
        options.Issuers[1].BaseUrl = "ftp://x";
        options.Issuers.Add(new IssuerOptions { Id = "card", Kind = "mainframe" });
        options.Status.Listen = "8080";

        IReadOnlyList<string> errors = SwitchOptionsValidator.Validate(options, Dialects);
        Assert.Contains(errors, e => e.StartsWith("Acquirers:0:Listen: 'nowhere'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Acquirers:0:Dialect: unknown dialect 'iso93'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Issuers:0:TimeoutMs: must be 10..120000 (is -5)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Issuers:0:Endpoints:0:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Issuers:1:BaseUrl:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Issuers:2:Id: must be set and unique", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Issuers:2:Kind: 'mainframe'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Status:Listen:", StringComparison.Ordinal));
    }

    [Fact]
    public void Settings_that_would_fail_at_start_or_at_run_time_are_refused_up_front()
    {
        SwitchOptions options = Valid();
        options.Acquirers[0].Tls = new TlsOptions { Enabled = true, CertificateFile = "server.pem", RequireClientCertificate = true };
        options.Issuers[0].MaxWriteBufferBytes = 0;
        options.Issuers[0].CircuitBreaker = new CircuitBreakerOptions { OpenMs = -1, FailureRatePercent = 0 };
        options.Issuers[0].StandIn = new StandInOptions { Enabled = true, MaxAmountMinor = 5000, MaxDailyAmountPerCardMinor = 100, Currencies = [] };
        options.Journal.SegmentSizeBytes = 2L << 30;
        options.Journal.RetentionHours = double.NaN;

        IReadOnlyList<string> errors = SwitchOptionsValidator.Validate(options, Dialects);
        Assert.Contains(errors, e => e.StartsWith("Acquirers:0:Tls:TrustedCaFile: client certificates are required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Issuers:0:MaxWriteBufferBytes: must be 65536..", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Issuers:0:CircuitBreaker:OpenMs:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Issuers:0:CircuitBreaker:FailureRatePercent:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Issuers:0:StandIn:MaxDailyAmountPerCardMinor: must be 5000..", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Issuers:0:StandIn:Currencies:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Journal:SegmentSizeBytes: must be 1048576..1073741824", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Journal:RetentionHours:", StringComparison.Ordinal));

        options.Journal.RetentionHours = 1e10; // "forever" written as a huge number overflows a TimeSpan
        Assert.Contains(SwitchOptionsValidator.Validate(options, Dialects), e => e.StartsWith("Journal:RetentionHours:", StringComparison.Ordinal));
    }
}
