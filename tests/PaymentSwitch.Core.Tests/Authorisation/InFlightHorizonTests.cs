using PaymentSwitch.Core.Authorisation;

namespace PaymentSwitch.Core.Tests.Authorisation;

public class InFlightHorizonTests
{
    [Fact]
    public void The_horizon_is_the_next_sequence_as_it_was_at_least_the_lag_ago()
    {
        var horizon = new InFlightHorizon(lagTicks: 10);
        Assert.Equal(0, horizon.Observe(now: 0, nextSequence: 100));  // nothing is old enough: keep everything
        Assert.Equal(0, horizon.Observe(now: 5, nextSequence: 150));
        Assert.Equal(100, horizon.Observe(now: 10, nextSequence: 200)); // the sample at 0 is now 10 old
        Assert.Equal(150, horizon.Observe(now: 15, nextSequence: 260));
        Assert.Equal(150, horizon.Observe(now: 19, nextSequence: 300)); // the sample at 10 is only 9 old
        Assert.Equal(200, horizon.Observe(now: 20, nextSequence: 330));
        Assert.Equal(330, horizon.Observe(now: 100, nextSequence: 900)); // a long pause: the newest old-enough sample
    }

    [Fact]
    public void A_record_appended_within_the_lag_is_never_behind_the_horizon()
    {
        var horizon = new InFlightHorizon(lagTicks: 50);
        long next = 1;
        var appendedAt = new Dictionary<long, long>(); // sequence → time appended
        for (long now = 0; now < 1000; now += 7)
        {
            for (int k = 0; k < 3; k++) appendedAt[next++] = now;
            long h = horizon.Observe(now, next);
            foreach ((long sequence, long at) in appendedAt)
                if (now - at < 50) Assert.True(sequence >= h, $"record {sequence} appended at {at} is behind the horizon {h} at {now}");
        }
    }
}
