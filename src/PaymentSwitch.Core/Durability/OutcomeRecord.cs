using PaymentSwitch.Core.Authorisation;

namespace PaymentSwitch.Core.Durability;

/// <summary>Rule 2: how a forwarded request ended — the issuer's answer (DE39, DE38), the timeout, or the switch's decision.</summary>
public readonly record struct OutcomeRecord(long ForwardedSequence, TransactionOutcome Outcome, ResponseCode ResponseCode, string ApprovalCode)
{
    public const byte Version = 1;

    /// <summary>True when the outcome is unknown to the switch, so the request must be reversed (rule 3).</summary>
    public bool RequiresReversal => Outcome.RequiresReversal();

    /// <summary>True for a stand-in approval: the issuer must be told with an 0120 advice.</summary>
    public bool RequiresAdvice => Outcome is TransactionOutcome.StandIn or TransactionOutcome.StandInAfterTimeout && ResponseCode.IsApproved;

    /// <summary>True when the approval was the switch's (stand-in), not the issuer's.</summary>
    public bool IsStandIn => Outcome is TransactionOutcome.StandIn or TransactionOutcome.StandInAfterTimeout;

    internal static int Write(long forwardedSequence, TransactionOutcome outcome, ResponseCode code, ReadOnlySpan<byte> approvalCode, Span<byte> destination)
    {
        var w = new RecordWriter(destination);
        w.U8(Version);
        w.I64(forwardedSequence);
        w.U8((byte)outcome);
        w.U8(code.First);
        w.U8(code.Second);
        w.Bytes(approvalCode);
        return w.Length;
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out OutcomeRecord record)
    {
        var r = new RecordReader(payload);
        record = default;
        if (r.U8() != Version) return false;
        long sequence = r.I64();
        var outcome = (TransactionOutcome)r.U8();
        var code = new ResponseCode(r.U8(), r.U8());
        string approval = r.Text();
        if (r.Failed) return false;
        record = new OutcomeRecord(sequence, outcome, code, approval);
        return true;
    }
}
