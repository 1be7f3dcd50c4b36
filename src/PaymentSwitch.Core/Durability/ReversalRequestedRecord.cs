using System.Text;

namespace PaymentSwitch.Core.Durability;

/// <summary>
/// An acquirer's request to reverse a forwarded transaction, with the original's details (as a Forwarded payload) so
/// that replay can rebuild the reversal without the original's record.
/// </summary>
public static class ReversalRequestedRecord
{
    public const byte Version = 1;

    internal static byte[] Encode(long forwardedSequence, ForwardedRecord original)
    {
        byte[] buffer = new byte[1024];
        var w = new RecordWriter(buffer);
        w.U8(Version);
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

    public static bool TryRead(ReadOnlySpan<byte> payload, out long forwardedSequence, out ForwardedRecord? original)
    {
        original = null;
        forwardedSequence = 0;
        var r = new RecordReader(payload);
        if (r.U8() != Version) return false;
        forwardedSequence = r.I64();
        if (r.Failed) return false;
        return ForwardedRecord.TryRead(payload[9..], out original);
    }

    /// <summary>A short description for logs and dumps (no card data).</summary>
    public static string Describe(long forwardedSequence) => new StringBuilder("reversal requested for #").Append(forwardedSequence).ToString();
}
