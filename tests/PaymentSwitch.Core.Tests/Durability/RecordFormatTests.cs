using System.Text;
using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Core.Durability;
using PaymentSwitch.Core.Issuers;
using PaymentSwitch.Core.Reversals;
using PaymentSwitch.Iso8583;
using static PaymentSwitch.Core.Tests.Durability.DurabilityFixtures;

namespace PaymentSwitch.Core.Tests.Durability;

/// <summary>The switch's journal record payloads: what goes in comes out, and short or foreign payloads are refused cleanly.</summary>
public class RecordFormatTests
{
    private static readonly IssuerLink CardSim = Issuer("card-sim");

    [Fact]
    public void Forwarded_round_trip_keeps_every_field_a_reversal_needs()
    {
        using PanProtector protector = NewProtector("key-2025");
        Transaction t = Forwardable(CardSim, amount: 12_345, acquirerStan: 4711, terminal: "TERM0042", acquirer: "54321", mti: Mti.FinancialRequest,
            currency: "840", issuerStan: 999_998);

        Assert.True(ForwardedRecord.TryRead(ForwardedPayload(t, protector), out ForwardedRecord? r));
        Assert.Equal(Mti.FinancialRequest, r!.Mti);
        Assert.Equal("card-sim", r.IssuerId);
        Assert.Equal(999_998, r.IssuerStan);
        Assert.Equal(t.IssuerRrn.ToString(), r.IssuerRrn);
        Assert.Equal(12, r.IssuerRrn.Length);
        Assert.Equal(601123000, r.TransmissionTime);
        Assert.Equal(12_345, r.Amount);
        Assert.Equal("840", r.Currency);
        Assert.Equal("000000", r.ProcessingCode);
        Assert.Equal("54321", r.AcquirerId);
        Assert.Equal("TERM0042", r.TerminalId);
        Assert.Equal("MERCHANT0000001", r.MerchantId);
        Assert.Equal(4711, r.AcquirerStan);
        Assert.Equal("RRN000004711", r.AcquirerRrn);
        Assert.Equal("476173******0010", r.MaskedPan);
        Assert.Equal("key-2025", r.PanKeyId);
        Assert.Equal("54321-TERM0042-004711-0601123000", r.IdempotencyKey);

        Span<byte> pan = stackalloc byte[PanProtector.MaxPanDigits];
        Assert.True(protector.TryUnprotect(r.EncryptedPan, pan, out int panLength));
        Assert.Equal(Pan, Encoding.ASCII.GetString(pan[..panLength]));
    }

    [Fact]
    public void Forwarded_payload_holds_no_card_number_track_data_or_pin_block_in_clear()
    {
        using PanProtector protector = NewProtector();
        byte[] payload = ForwardedPayload(Forwardable(CardSim, 500, 1), protector);

        Assert.Equal(-1, payload.AsSpan().IndexOf(Encoding.ASCII.GetBytes(Pan)));
        Assert.Equal(-1, payload.AsSpan().IndexOf(Encoding.ASCII.GetBytes(Pan[6..12]))); // the digits the mask hides
        Assert.Equal(-1, payload.AsSpan().IndexOf("=2512"u8));                            // track 2 separator and expiry
        Assert.Equal(-1, payload.AsSpan().IndexOf(PinBlock));
        Assert.NotEqual(-1, payload.AsSpan().IndexOf("476173******0010"u8));               // only the mask is readable
    }

    [Fact]
    public void Reversal_requested_round_trip_carries_the_original_and_its_sequence()
    {
        using PanProtector protector = NewProtector();
        Assert.True(ForwardedRecord.TryRead(ForwardedPayload(Forwardable(CardSim, 777, 12, terminal: "T9"), protector), out ForwardedRecord? original));

        byte[] payload = ReversalRequestedRecord.Encode(123_456_789_012, original!, ReversalReason.UndeliveredApproval);
        Assert.True(ReversalRequestedRecord.TryRead(payload, out long sequence, out ForwardedRecord? back, out ReversalReason reason));
        Assert.Equal(123_456_789_012, sequence);
        Assert.Equal(ReversalReason.UndeliveredApproval, reason);
        Assert.Equal(original!.Amount, back!.Amount);
        Assert.Equal(original.TerminalId, back.TerminalId);
        Assert.Equal(original.AcquirerRrn, back.AcquirerRrn);
        Assert.Equal(original.IssuerStan, back.IssuerStan);
        Assert.Equal(original.MaskedPan, back.MaskedPan);
        Assert.Equal(original.EncryptedPan, back.EncryptedPan);
        Assert.Equal(-1, payload.AsSpan().IndexOf(Encoding.ASCII.GetBytes(Pan)));
    }

    [Fact]
    public void Reversal_requested_of_version_1_reads_as_the_acquirers_and_an_unknown_reason_is_refused()
    {
        using PanProtector protector = NewProtector();
        Assert.True(ForwardedRecord.TryRead(ForwardedPayload(Forwardable(CardSim, 777, 12), protector), out ForwardedRecord? original));
        byte[] current = ReversalRequestedRecord.Encode(42, original!, ReversalReason.UndeliveredApproval);

        // Version 1, as journals written before the reason was recorded hold it: no reason byte.
        byte[] version1 = [1, .. current.AsSpan(2)];
        Assert.True(ReversalRequestedRecord.TryRead(version1, out long sequence, out ForwardedRecord? back, out ReversalReason reason));
        Assert.Equal((42L, ReversalReason.Acquirer), (sequence, reason));
        Assert.Equal(original!.AcquirerRrn, back!.AcquirerRrn);

        // Only the acquirer and an undelivered approval request reversals; any other reason byte is a damaged record.
        current[1] = (byte)ReversalReason.Timeout;
        Assert.False(ReversalRequestedRecord.TryRead(current, out _, out _, out _));
        current[1] = 200;
        Assert.False(ReversalRequestedRecord.TryRead(current, out _, out _, out _));
    }

    [Theory]
    [InlineData(TransactionOutcome.IssuerAnswered, "00", "A1B2C3")]
    [InlineData(TransactionOutcome.IssuerAnswered, "51", "")]
    [InlineData(TransactionOutcome.TimedOut, "91", "")]
    [InlineData(TransactionOutcome.DeclinedBySwitch, "96", "")]
    public void Outcome_round_trip(TransactionOutcome outcome, string code, string approval)
    {
        Assert.True(OutcomeRecord.TryRead(OutcomePayload(long.MaxValue - 1, outcome, code, approval), out OutcomeRecord r));
        Assert.Equal(long.MaxValue - 1, r.ForwardedSequence);
        Assert.Equal(outcome, r.Outcome);
        Assert.Equal(code, r.ResponseCode.ToString());
        Assert.Equal(approval, r.ApprovalCode);
        Assert.Equal(outcome == TransactionOutcome.TimedOut, r.RequiresReversal);
    }

    [Fact]
    public void Reversal_completed_round_trip_and_a_missing_answer_code_is_written_as_dashes()
    {
        Assert.True(ReversalRecord.TryRead(ReversalCompletedPayload(77, "25"), out ReversalRecord r));
        Assert.Equal(new ReversalRecord(77, Code("25")), r);

        byte[] buffer = new byte[16];
        int length = ReversalRecord.Write(78, default, buffer);
        Assert.True(ReversalRecord.TryRead(buffer.AsSpan(0, length), out r));
        Assert.Equal("--", r.ResponseCode.ToString());
    }

    [Fact]
    public void Every_truncation_of_every_record_type_is_refused_without_throwing()
    {
        using PanProtector protector = NewProtector();
        byte[] forwarded = ForwardedPayload(Forwardable(CardSim, 1000, 5), protector);
        Assert.True(ForwardedRecord.TryRead(forwarded, out ForwardedRecord? original));
        byte[] requested = ReversalRequestedRecord.Encode(9, original!, ReversalReason.Acquirer);
        byte[] outcome = OutcomePayload(9, TransactionOutcome.IssuerAnswered, "00", "XYZ123");
        byte[] completed = ReversalCompletedPayload(9, "00");

        for (int length = 0; length < forwarded.Length; length++)
            Assert.False(ForwardedRecord.TryRead(forwarded.AsSpan(0, length), out _), $"forwarded cut at {length}");
        for (int length = 0; length < requested.Length; length++)
            Assert.False(ReversalRequestedRecord.TryRead(requested.AsSpan(0, length), out _, out _, out _), $"reversal requested cut at {length}");
        for (int length = 0; length < outcome.Length; length++)
            Assert.False(OutcomeRecord.TryRead(outcome.AsSpan(0, length), out _), $"outcome cut at {length}");
        for (int length = 0; length < completed.Length; length++)
            Assert.False(ReversalRecord.TryRead(completed.AsSpan(0, length), out _), $"reversal completed cut at {length}");
    }

    [Fact]
    public void A_payload_of_another_version_is_refused()
    {
        using PanProtector protector = NewProtector();
        byte[] forwarded = ForwardedPayload(Forwardable(CardSim, 1000, 5), protector);
        byte[] outcome = OutcomePayload(9, TransactionOutcome.IssuerAnswered, "00");
        byte[] completed = ReversalCompletedPayload(9, "00");
        forwarded[0] = outcome[0] = completed[0] = 2;

        Assert.False(ForwardedRecord.TryRead(forwarded, out _));
        Assert.False(OutcomeRecord.TryRead(outcome, out _));
        Assert.False(ReversalRecord.TryRead(completed, out _));
    }
}
