using System.Diagnostics;
using System.Runtime.CompilerServices;
using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Core.Issuers.Internal;

namespace PaymentSwitch.Core.Tests.Issuers;

public class PendingTableTests
{
    // The pending table never looks at the engine; a transaction built without one is enough here.
    private static Transaction NewTransaction() => (Transaction)RuntimeHelpers.GetUninitializedObject(typeof(Transaction));

    [Fact]
    public void Stans_are_handed_out_in_sequence_and_matched_once()
    {
        var table = new PendingTable(100);
        Transaction a = NewTransaction(), b = NewTransaction();
        Assert.True(table.TryRegister(a, 1000));
        Assert.True(table.TryRegister(b, 1000));
        Assert.Equal(a.IssuerStan + 1, b.IssuerStan);
        Assert.Equal(2, table.Count);

        Assert.Same(b, table.TryTake(b.IssuerStan)); // answers may come out of order
        Assert.Null(table.TryTake(b.IssuerStan));    // a repeated answer finds nothing
        Assert.Same(a, table.TryTake(a.IssuerStan));
        Assert.Equal(0, table.Count);
        Assert.Null(table.TryTake(0));
        Assert.Null(table.TryTake(1_000_000));
    }

    [Fact]
    public void A_peeked_request_is_taken_only_from_under_its_stan_and_only_once()
    {
        var table = new PendingTable(100);
        Transaction a = NewTransaction(), b = NewTransaction();
        Assert.True(table.TryRegister(a, 1000));
        Assert.True(table.TryRegister(b, 1000));
        Assert.Same(a, table.Peek(a.IssuerStan));
        Assert.Equal(2, table.Count); // peeking leaves it in place
        Assert.False(table.TryTake(b.IssuerStan, a)); // not under another STAN
        Assert.True(table.TryTake(a.IssuerStan, a));
        Assert.False(table.TryTake(a.IssuerStan, a)); // the timeout or another answer got there first
        Assert.Null(table.Peek(a.IssuerStan));
        Assert.Equal(1, table.Count);
        Assert.Null(table.Peek(0));
        Assert.False(table.TryTake(1_000_000, b));
    }

    [Fact]
    public void In_flight_bound_refuses_registration()
    {
        var table = new PendingTable(2);
        Assert.True(table.TryRegister(NewTransaction(), 1));
        Assert.True(table.TryRegister(NewTransaction(), 1));
        Assert.False(table.TryRegister(NewTransaction(), 1));
    }

    [Fact]
    public void Timeout_scan_expires_only_due_requests_in_order_and_skips_answered_ones()
    {
        var table = new PendingTable(100);
        var t = new Transaction[5];
        for (int i = 0; i < 5; i++)
        {
            t[i] = NewTransaction();
            Assert.True(table.TryRegister(t[i], deadlineTimestamp: 100 + i * 10));
        }
        Assert.True(table.TryTake(t[1], t[1].PendingSequence)); // answered in time

        var expired = new List<Transaction>();
        Assert.Equal(2, table.ExpireDue(125, expired.Add));        // t0 (100) and t2 (120); t1 was answered
        Assert.Equal([t[0], t[2]], expired);
        Assert.Null(table.TryTake(t[0].IssuerStan));               // a late answer finds nothing
        Assert.Equal(0, table.ExpireDue(125, expired.Add));
        Assert.Equal(2, table.ExpireDue(1000, expired.Add));
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void Take_with_a_stale_sequence_does_nothing()
    {
        var table = new PendingTable(10);
        Transaction t = NewTransaction();
        Assert.True(table.TryRegister(t, 1));
        long first = t.PendingSequence;
        Assert.True(table.TryTake(t, first));
        Assert.True(table.TryRegister(t, 1)); // the pooled object is used again
        Assert.False(table.TryTake(t, first));
        Assert.True(table.TryTake(t, t.PendingSequence));
    }

    [Fact]
    public void Stan_wraps_after_999999_and_skips_a_stan_still_in_use()
    {
        var table = new PendingTable(10);
        Transaction old = NewTransaction();
        Assert.True(table.TryRegister(old, long.MaxValue)); // STAN 2 (sequence 1), held for ever
        Assert.Equal(2, old.IssuerStan);
        Transaction x = NewTransaction();
        for (int i = 0; i < PendingTable.StanSpace - 2; i++) // STANs 3..999999
        {
            Assert.True(table.TryRegister(x, 0));
            Assert.InRange(x.IssuerStan, 1, PendingTable.StanSpace);
            Assert.True(table.TryTake(x, x.PendingSequence));
        }
        Assert.True(table.TryRegister(x, 0));
        Assert.Equal(1, x.IssuerStan);                         // wrapped
        Assert.True(table.TryTake(x, x.PendingSequence));
        Assert.True(table.TryRegister(x, 0));
        Assert.Equal(3, x.IssuerStan);                         // 2 is still pending: skipped
    }

    [Fact]
    public async Task Concurrent_answers_and_timeouts_complete_each_request_exactly_once()
    {
        var table = new PendingTable(200_000);
        const int count = 100_000;
        var transactions = Enumerable.Range(0, count).Select(_ => NewTransaction()).ToArray();
        int completions = 0;
        long now = Stopwatch.GetTimestamp();
        foreach (Transaction t in transactions) Assert.True(table.TryRegister(t, now));

        var answering = Task.Run(() =>
        {
            foreach (Transaction t in transactions)
                if (table.TryTake(t.IssuerStan) is not null) Interlocked.Increment(ref completions);
        });
        var expiring = Task.Run(() =>
        {
            while (!answering.IsCompleted) table.ExpireDue(now, _ => Interlocked.Increment(ref completions));
            table.ExpireDue(now, _ => Interlocked.Increment(ref completions));
        });
        await Task.WhenAll(answering, expiring);
        Assert.Equal(count, completions);
        Assert.Equal(0, table.Count);
    }
}
