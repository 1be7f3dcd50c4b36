using System.Text;
using PaymentSwitch.Core.Reversals;

namespace PaymentSwitch.Core.Durability;

/// <summary>
/// A request to reverse a forwarded transaction (the acquirer's 0400, or the switch's own for an approval it could not
/// deliver), with why and the original's details (as a Forwarded payload), so that replay can rebuild the reversal
/// without the original's record. Version 1 (before the reason was written) was always the acquirer's.
/// </summary>
public static class ReversalRequestedRecord
{
    public const byte Version = 2;

    internal static byte[] Encode(long forwardedSequence, ForwardedRecord original, ReversalReason reason)
    {
        byte[] buffer = new byte[1024];
        var w = new RecordWriter(buffer);
        w.U8(Version);
        w.U8((byte)reason);
        w.I64(forwardedSequence);
        w.U8(ForwardedRecord.Version);
        w.U16(original.Mti);
        w.Text(original.IssuerId);
        w.I32(original.IssuerStan);
        w.Text(original.IssuerRrn);
        w.I64(original.TransmissionTime);
        w.I64(original.Amount);
        w.Text(original.Currency);
        w.Text(original.ProcessingCode);
        w.Text(original.AcquirerId);
        w.Text(original.TerminalId);
        w.Text(original.MerchantId);
        w.I32(original.AcquirerStan);
        w.Text(original.AcquirerRrn);
        w.Text(original.MaskedPan);
        w.Text(original.PanKeyId);
        w.Bytes(original.EncryptedPan);
        return buffer[..w.Length];
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out long forwardedSequence, out ForwardedRecord? original, out ReversalReason reason)
    {
        original = null;
        forwardedSequence = 0;
        reason = ReversalReason.Acquirer;
        var r = new RecordReader(payload);
        byte version = r.U8();
        if (version == Version)
        {
            reason = (ReversalReason)r.U8();
            if (reason is not (ReversalReason.Acquirer or ReversalReason.UndeliveredApproval)) return false;
        }
        else if (version != 1) return false;
        forwardedSequence = r.I64();
        if (r.Failed) return false;
        return ForwardedRecord.TryRead(payload[(version == 1 ? 9 : 10)..], out original);
    }

    /// <summary>A short description for logs and dumps (no card data).</summary>
    public static string Describe(long forwardedSequence) => new StringBuilder("reversal requested for #").Append(forwardedSequence).ToString();
}
