using PaymentSwitch.Simulators.Internal;

namespace PaymentSwitch.Simulators.Tests;

public sealed class ApprovalIndexTests
{
    [Fact]
    public void Keys_that_pack_alike_are_still_told_apart()
    {
        var a = new CardTransactionKey(123456, 1122103000, 12345);
        long other = 12346;
        while (new CardTransactionKey(a.Stan, a.De7, other).Packed != a.Packed) other++;
        var b = new CardTransactionKey(a.Stan, a.De7, other);
        Assert.NotEqual(a, b);
        Assert.Equal(a.Packed, b.Packed);

        var index = new ApprovalIndex(1000);
        Assert.Equal(BookOutcome.Booked, index.TryBook(a, 100, advice: false));
        Assert.Equal(ReverseOutcome.NotFound, index.Reverse(b, out _, out _));
        Assert.Equal(BookOutcome.ReversedBeforeArrival, index.TryBook(b, 5, advice: false));
        Assert.Equal(ReverseOutcome.Reversed, index.Reverse(a, out long amount, out bool wasAdvice));
        Assert.Equal((100, false), (amount, wasAdvice));
        Assert.Equal(ReverseOutcome.AlreadyReversed, index.Reverse(a, out _, out _));
        Assert.Equal(BookOutcome.ReversedBeforeArrival, index.TryBook(a, 100, advice: false));
    }

    [Fact]
    public void The_packed_key_holds_the_STAN_and_the_second_of_the_year_exactly()
    {
        ulong packed = new CardTransactionKey(999_999, 1231235959, 0).Packed;
        Assert.Equal(999_999UL, packed & 0xFFFFF);
        Assert.Equal((ulong)((((11 * 31) + 30) * 86_400) + (23 * 3600) + (59 * 60) + 59), (packed >> 20) & ((1UL << 25) - 1));
        Assert.NotEqual(new CardTransactionKey(1, 1122103000, 1).Packed, new CardTransactionKey(1, 1122103001, 1).Packed);
        // Not a date: still packed (and matched exactly through the stored DE7).
        Assert.NotEqual(new CardTransactionKey(1, 9999999999, 1).Packed, new CardTransactionKey(2, 9999999999, 1).Packed);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(1000)]
    [InlineData(100_000)]
    public void The_bound_holds_and_the_oldest_go_first(int maxEntries)
    {
        var index = new ApprovalIndex(maxEntries);
        int total = maxEntries + 50;
        for (int i = 0; i < total; i++) Assert.Equal(BookOutcome.Booked, index.TryBook(new CardTransactionKey(i % 1_000_000, 101000000 + i, 1), 1, advice: false));
        // Shards evict their own oldest, so the total may stay under the bound; it never exceeds it.
        Assert.InRange(index.Count, 1, maxEntries);
        Assert.Equal(total, index.Count + index.Evictions);
        // The newest is remembered in every case; the oldest went first.
        Assert.Equal(BookOutcome.Duplicate, index.TryBook(new CardTransactionKey((total - 1) % 1_000_000, 101000000 + total - 1, 1), 1, advice: false));
        Assert.Equal(BookOutcome.Booked, index.TryBook(new CardTransactionKey(0, 101000000, 1), 1, advice: false));
        index.Clear();
        Assert.Equal((0, 0), (index.Count, index.Evictions));
        Assert.Equal(ReverseOutcome.NotFound, index.Reverse(new CardTransactionKey(0, 101000000, 1), out _, out _));
    }

    [Fact]
    public void Concurrent_booking_and_reversing_of_the_same_keys_never_leaves_money_booked()
    {
        // Each key gets an original and a reversal racing on two threads: whichever wins, a reversed key ends up not booked.
        var index = new ApprovalIndex(1 << 16);
        const int keys = 20_000;
        long booked = 0, reversed = 0;
        Parallel.Invoke(
            () =>
            {
                for (int i = 0; i < keys; i++)
                    if (index.TryBook(new CardTransactionKey(i, 1122000000, 7), 10, advice: false) == BookOutcome.Booked) Interlocked.Add(ref booked, 10);
            },
            () =>
            {
                for (int i = 0; i < keys; i++)
                    if (index.Reverse(new CardTransactionKey(i, 1122000000, 7), out long amount, out _) == ReverseOutcome.Reversed) Interlocked.Add(ref reversed, amount);
            });
        Assert.Equal(booked, reversed);
    }
}
