using PaymentSwitch.Core.Authorisation;

namespace PaymentSwitch.Core.Tests.Authorisation;

public class RecentTransactionsTests
{
    private static RecentTransaction Entry(int stan, long forwardedSequence) => new()
    {
        Key = new TransactionKey(412345, 0x5445524D30303031, stan, 1122334455),
        ReceivedUnixMs = 1_000 + stan,
        Forwarded = forwardedSequence > 0,
        ForwardedSequence = forwardedSequence,
    };

    [Fact]
    public void Oldest_forwarded_sequence_is_where_a_replay_must_start_to_rebuild_the_index()
    {
        var recent = new RecentTransactions(capacity: 8, TimeSpan.FromMinutes(10));
        Assert.Null(recent.OldestForwardedSequence());

        recent.Add(Entry(1, 0)); // answered by the switch itself: never in the journal
        Assert.Null(recent.OldestForwardedSequence());

        recent.Add(Entry(2, 105));
        recent.Add(Entry(3, 103)); // appended a little earlier than the one that came in before it
        recent.Add(Entry(4, 107));
        Assert.Equal(103, recent.OldestForwardedSequence());

        // Full ring: the oldest entries make room, and the start moves with them.
        for (int stan = 5; stan <= 12; stan++) recent.Add(Entry(stan, 100 + (2 * stan)));
        Assert.Equal(8, recent.Count);
        Assert.Equal(110, recent.OldestForwardedSequence()); // entries 5..12 remain: 110..124

        // Only the oldest few are looked at (the index is kept in arrival order).
        Assert.Equal(110, recent.OldestForwardedSequence(look: 1));
        recent.Add(Entry(13, 101)); // evicts 5 (110); a low sequence far from the oldest end is not seen by a short look
        Assert.Equal(112, recent.OldestForwardedSequence(look: 1));
        Assert.Equal(101, recent.OldestForwardedSequence(look: 8));
    }
}
