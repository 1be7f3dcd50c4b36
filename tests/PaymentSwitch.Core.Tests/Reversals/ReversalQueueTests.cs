using PaymentSwitch.Core.Durability;
using PaymentSwitch.Core.Reversals;

namespace PaymentSwitch.Core.Tests.Reversals;

public class ReversalQueueTests
{
    private static PendingReversal Owed(string issuer, long sequence, bool advice = false) => new(new ForwardedRecord
    {
        Mti = 100, IssuerId = issuer, IssuerStan = (int)sequence, IssuerRrn = "632612345678", TransmissionTime = 1122103000,
        Amount = 1000, Currency = "978", ProcessingCode = "000000", AcquirerId = "412345", TerminalId = "TERM0001",
        MerchantId = "MERCHANT0000001", AcquirerStan = (int)sequence, AcquirerRrn = "632612345678", MaskedPan = "476173******0010",
        PanKeyId = "k1", EncryptedPan = [1, 2, 3],
    }, sequence, advice ? ReversalReason.StandIn : ReversalReason.Timeout, advice ? "S12345" : null);

    [Fact]
    public void Counts_and_depth_by_issuer_follow_enqueues_repeats_and_completions()
    {
        var queue = new ReversalQueue();
        PendingReversal a1 = Owed("card-a", 1), a2 = Owed("card-a", 2), b1 = Owed("wallet-b", 3), advice = Owed("card-a", 4, advice: true);
        Assert.True(queue.Enqueue(a1));
        Assert.True(queue.Enqueue(a2));
        Assert.True(queue.Enqueue(b1));
        Assert.True(queue.Enqueue(advice));
        Assert.False(queue.Enqueue(Owed("card-a", 1))); // the same original again: ignored, not counted twice

        Assert.Equal(4, queue.Count);
        Assert.Equal(1, queue.AdviceCount);
        Assert.Equal(new Dictionary<string, int> { ["card-a"] = 3, ["wallet-b"] = 1 }, queue.DepthByIssuer());

        queue.OnCompleted(a1);
        queue.OnCompleted(a1); // a second completion of the same reversal changes nothing
        queue.OnCompleted(b1);
        queue.OnCompleted(advice);

        Assert.Equal(1, queue.Count);
        Assert.Equal(0, queue.AdviceCount);
        Assert.Equal(3, queue.CompletedTotal);
        Assert.Equal(new Dictionary<string, int> { ["card-a"] = 1 }, queue.DepthByIssuer()); // issuers owed nothing are left out
    }

    [Fact]
    public async Task Readers_running_beside_writers_never_see_more_than_was_enqueued_and_end_at_zero()
    {
        var queue = new ReversalQueue();
        const int total = 20_000;
        var done = new CancellationTokenSource();
        Task reader = Task.Run(() =>
        {
            while (!done.IsCancellationRequested)
            {
                int count = queue.Count;
                Assert.InRange(count, 0, total);
                foreach (int owed in queue.DepthByIssuer().Values) Assert.InRange(owed, 1, total);
            }
        });
        await Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (int i = w; i < total; i += 4)
            {
                PendingReversal r = Owed($"issuer-{i % 7}", i + 1);
                queue.Enqueue(r);
                queue.OnCompleted(r);
            }
        })));
        done.Cancel();
        await reader;
        Assert.Equal(0, queue.Count);
        Assert.Empty(queue.DepthByIssuer());
        Assert.Equal(total, queue.CompletedTotal);
    }
}
