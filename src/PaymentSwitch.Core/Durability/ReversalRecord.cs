using PaymentSwitch.Core.Authorisation;

namespace PaymentSwitch.Core.Durability;

/// <summary>
/// A reversal's progress for one forwarded request: requested by the acquirer (<see cref="TransactionRecordType.ReversalRequested"/>)
/// or completed by the issuer's answer (<see cref="TransactionRecordType.ReversalCompleted"/>, with that answer's DE39).
/// </summary>
public readonly record struct ReversalRecord(long ForwardedSequence, ResponseCode ResponseCode)
{
    public const byte Version = 1;

    internal static int Write(long forwardedSequence, ResponseCode code, Span<byte> destination)
    {
        var w = new RecordWriter(destination);
        w.U8(Version);
        w.I64(forwardedSequence);
        w.U8(code.First == 0 ? (byte)'-' : code.First);
        w.U8(code.Second == 0 ? (byte)'-' : code.Second);
        return w.Length;
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out ReversalRecord record)
    {
        var r = new RecordReader(payload);
        record = default;
        if (r.U8() != Version) return false;
        long sequence = r.I64();
        var code = new ResponseCode(r.U8(), r.U8());
        if (r.Failed) return false;
        record = new ReversalRecord(sequence, code);
        return true;
    }
}
