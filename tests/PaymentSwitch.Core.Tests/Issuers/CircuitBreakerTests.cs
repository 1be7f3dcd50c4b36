using System.Diagnostics;
using PaymentSwitch.Core.Configuration;
using PaymentSwitch.Core.Issuers;

namespace PaymentSwitch.Core.Tests.Issuers;

public class CircuitBreakerTests
{
    private static CircuitBreaker Opened(out long afterOpenPeriod)
    {
        var breaker = new CircuitBreaker(new CircuitBreakerOptions { Enabled = true, ConsecutiveFailures = 2, OpenMs = 1000 });
        breaker.OnFailure();
        breaker.OnFailure();
        Assert.Equal(CircuitState.Open, breaker.State);
        afterOpenPeriod = Stopwatch.GetTimestamp() + (2 * Stopwatch.Frequency);
        return breaker;
    }

    [Fact]
    public void An_answer_to_a_request_sent_before_the_breaker_opened_does_not_close_it()
    {
        CircuitBreaker breaker = Opened(out long later);
        breaker.OnSuccess();
        breaker.OnSuccess(isTrialLink: true);
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.False(breaker.AllowRequest(trialRequestsAllowed: false));
        Assert.True(breaker.OnTick(later));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
    }

    [Fact]
    public void A_half_open_card_issuer_closes_on_its_echo_probe_only()
    {
        CircuitBreaker breaker = Opened(out long later);
        Assert.True(breaker.OnTick(later));
        breaker.OnSuccess(); // a straggler answer
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        breaker.OnProbeSucceeded();
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(1, breaker.OpenedTotal);
    }

    [Fact]
    public void A_half_open_wallet_issuer_closes_on_the_answer_to_its_one_trial_request()
    {
        CircuitBreaker breaker = Opened(out long later);
        Assert.True(breaker.OnTick(later));
        Assert.True(breaker.AllowRequest(trialRequestsAllowed: true));
        Assert.False(breaker.AllowRequest(trialRequestsAllowed: true)); // one trial only
        breaker.OnSuccess(isTrialLink: true);
        Assert.Equal(CircuitState.Closed, breaker.State);
    }
}
