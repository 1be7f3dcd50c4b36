using PaymentSwitch.LoadTest.Internal;

namespace PaymentSwitch.LoadTest.Tests;

public sealed class PendingTableTests
{
    [Fact]
    public void The_table_holds_exactly_its_capacity_and_finds_requests_by_STAN()
    {
        var table = new PendingTable(4);
        var stans = new List<int>();
        for (int i = 0; i < 4; i++)
        {
            Assert.True(table.TryAllocate(out int slot, out int stan));
            Assert.Equal(slot, table.Find(stan));
            stans.Add(stan);
        }
        Assert.True(table.IsFull);
        Assert.False(table.TryAllocate(out _, out _));
        Assert.Equal(4, stans.Distinct().Count());

        int freed = table.Find(stans[2]);
        table.Free(freed);
        Assert.Equal(-1, table.Find(stans[2]));
        Assert.Equal(3, table.InFlight);
        Assert.True(table.TryAllocate(out int again, out int newStan));
        Assert.Equal(freed, again);
        Assert.NotEqual(stans[2], newStan);
        Assert.Equal(-1, table.Find(0));
        Assert.Equal(-1, table.Find(1_000_000));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(1000)]
    public void A_STAN_does_not_come_back_within_a_long_run_of_requests(int capacity)
    {
        // One request in flight at a time (the worst case for reuse): STANs stay unique for far more requests than
        // one second of any feasible rate on one connection.
        var table = new PendingTable(capacity);
        var seen = new HashSet<int>();
        int unique = (999_999 / capacity) * capacity;
        for (int i = 0; i < unique; i++)
        {
            Assert.True(table.TryAllocate(out int slot, out int stan));
            Assert.InRange(stan, 1, 999_999);
            Assert.True(seen.Add(stan), $"STAN {stan} repeated after {i} requests");
            table.Free(slot);
        }
    }

    [Fact]
    public void A_timed_out_STAN_is_recognised_when_its_late_answer_arrives()
    {
        var table = new PendingTable(2);
        table.TryAllocate(out int slot, out int stan);
        table.FreeTimedOut(slot);
        Assert.Equal(-1, table.Find(stan));
        Assert.True(table.IsTimedOut(stan));
        table.TryAllocate(out _, out int other);
        Assert.False(table.IsTimedOut(other));
    }
}
