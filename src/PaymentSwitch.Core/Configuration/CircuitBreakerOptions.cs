namespace PaymentSwitch.Core.Configuration;

/// <summary>
/// When an issuer counts as failing. The breaker opens after <see cref="ConsecutiveFailures"/> timeouts or errors in a
/// row, or when at least <see cref="MinimumRequests"/> requests in the last <see cref="WindowMs"/> failed at
/// <see cref="FailureRatePercent"/> or more. While open, requests for the issuer are answered at once (stand-in when
/// enabled, else DE39 = 91). After <see cref="OpenMs"/> it is half-open: a probe (0800 echo for card issuers, one
/// request for wallets) decides whether it closes again.
/// </summary>
public sealed class CircuitBreakerOptions
{
    public bool Enabled { get; set; } = true;
    public int ConsecutiveFailures { get; set; } = 5;
    public int FailureRatePercent { get; set; } = 50;
    public int MinimumRequests { get; set; } = 20;
    public int WindowMs { get; set; } = 10_000;
    public int OpenMs { get; set; } = 2000;
}
