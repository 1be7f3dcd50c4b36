using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Core.Durability;
using PaymentSwitch.Core.Tests.Durability;
using PaymentSwitch.Journal;
using static PaymentSwitch.Core.Tests.Durability.DurabilityFixtures;

namespace PaymentSwitch.Core.Tests.Authorisation;

public sealed class RecentTransactionsTests : IDisposable
{
    private static readonly PaymentSwitch.Core.Issuers.IssuerLink CardSim = Issuer("card-sim");
    private readonly TempJournalDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static RecentTransaction Entry(int stan, long arrivedAt) => new()
    {
        Key = new TransactionKey(412345, 0x5445524D30303031, stan, 1122334455),
        ReceivedUnixMs = 1_000 + stan,
        ArrivedAtSequence = arrivedAt,
    };

    [Fact]
    public void The_oldest_entry_says_where_a_replay_must_start_to_rebuild_the_index()
    {
        var recent = new RecentTransactions(capacity: 4, TimeSpan.FromMinutes(10));
        Assert.Null(recent.OldestArrivedAtSequence());

        recent.Add(Entry(1, 100)); // never forwarded (answered by the switch): still a lower bound for later ones
        recent.Add(Entry(2, 100));
        recent.Add(Entry(3, 104));
        Assert.Equal(100, recent.OldestArrivedAtSequence());

        // Full ring: the oldest entries make room, and the start moves with them.
        recent.Add(Entry(4, 104));
        recent.Add(Entry(5, 109));
        Assert.Equal(100, recent.OldestArrivedAtSequence()); // entry 2
        recent.Add(Entry(6, 111));
        Assert.Equal(104, recent.OldestArrivedAtSequence()); // entry 3
    }

    [Fact]
    public async Task After_a_restart_the_rebuilt_index_still_holds_the_replay_start()
    {
        // Replayed entries come back through Recover's path (Add) and must keep the index's start: a restart followed
        // by another must rebuild the same index, not only the last minute.
        await using (var journal = new TransactionJournal(WriteAheadJournal.Open(JournalOptions(_dir.Path), null, out _), NewProtector()))
        {
            for (int i = 0; i < 30; i++)
            {
                Transaction t = Forwardable(CardSim, 100 + i, 50 + i, issuerStan: 150 + i);
                t.ForwardedSequence = await journal.RecordForwardedAsync(t);
                t.Outcome = TransactionOutcome.IssuerAnswered;
                t.ResponseCode = Code("00");
                await journal.RecordOutcomeAsync(t);
            }
        }

        var replay = new TransactionReplay(_ => null);
        await using (WriteAheadJournal.Open(JournalOptions(_dir.Path), replay, out _)) { }
        var recent = new RecentTransactions(capacity: 16, TimeSpan.FromMinutes(10));
        foreach (RecentTransaction entry in replay.Recent) recent.Add(entry);

        // 30 forwarded (sequences 1, 3, …, 59); the index keeps the last 16, the oldest of them forwarded at 29.
        Assert.Equal(16, recent.Count);
        Assert.Equal(29, recent.OldestArrivedAtSequence());
    }
}
