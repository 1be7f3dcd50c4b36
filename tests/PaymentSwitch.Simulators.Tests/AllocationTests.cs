using System.Buffers;
using PaymentSwitch.Iso8583;
using PaymentSwitch.Simulators.Internal;
using PaymentSwitch.Simulators.Tests.Support;

namespace PaymentSwitch.Simulators.Tests;

/// <summary>The per-message work of a connection (parse, decide, book, build, write the framed answer) allocates nothing once warm.</summary>
public sealed class AllocationTests
{
    [Fact]
    public void Answering_approvals_declines_and_reversals_allocates_nothing()
    {
        var ledger = new IssuerLedger();
        var index = new ApprovalIndex(512);
        var authoriser = new CardAuthoriser(new IssuerRules { DeclineAboveAmountMinor = 5000, DeclinePanSuffix = "0005" }, ledger, index, answerNetworkManagement: true);
        Framing framing = Framing.Parse("len2");
        var request = new IsoMessage();
        var reply = new IsoMessageBuilder(TestDialects.Ascii, 1024);
        var writer = new FixedBufferWriter();
        byte[] slot = new byte[DelayedReplyQueue.SlotBytes];

        byte[] approval = Bytes(Requests.Authorisation(0, 100, expiry: "9912"));
        byte[] decline = Bytes(Requests.Authorisation(0, 9000));
        byte[] reversal = Bytes(Requests.Reversal(0, 100, originalStan: 0));
        byte[] echo = Bytes(Requests.NetworkManagement(0, "301"));
        int stanAt = approval.AsSpan().IndexOf("1122103000000000"u8) + 10; // DE7, then DE11
        Assert.True(stanAt >= 10);
        int de90StanAt = reversal.Length - 42 + 4;

        void Run(int from, int count)
        {
            for (int n = from; n < from + count; n++)
            {
                WriteDigits(approval.AsSpan(stanAt, 6), n);
                WriteDigits(reversal.AsSpan(de90StanAt, 6), n - 3);
                foreach (byte[] message in (ReadOnlySpan<byte[]>)[approval, decline, reversal, echo])
                {
                    Assert.True(request.TryParse(message, TestDialects.Ascii, out _));
                    Assert.True(authoriser.Answer(request, reply));
                    writer.Reset(slot);
                    reply.WriteFrame(writer, framing);
                }
            }
        }

        Run(10, 2000); // warm up: the index fills and evicts
        // Three windows, the smallest must be exactly 0: an allocation per message shows in all of them, while a one-off
        // allocation by the runtime's tiering on this thread (on-stack replacement mid-loop) lands in one at most.
        long fewest = long.MaxValue;
        for (int window = 0; window < 3; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            Run(3000 + (window * 5000), 5000);
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, fewest);
        Assert.True(ledger.Snapshot(0, 0).ReversedCount > 5000, "The reversals matched their originals.");
    }

    private static byte[] Bytes(IsoMessageBuilder builder)
    {
        byte[] buffer = new byte[1024];
        int length = builder.WriteMessage(buffer);
        return buffer[..length];
    }

    private static void WriteDigits(Span<byte> digits, int value)
    {
        for (int i = digits.Length - 1; i >= 0; i--, value /= 10) digits[i] = (byte)('0' + (value % 10));
    }
}
