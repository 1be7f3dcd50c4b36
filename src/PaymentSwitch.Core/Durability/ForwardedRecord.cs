using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Core.Durability;

/// <summary>
/// A request as it left for an issuer (rule 1): everything a reversal needs — the issuer, the switch's STAN and RRN,
/// DE7, amount and currency, the acquirer's identity (DE32, DE41, DE11, DE7, DE37), and the card number encrypted
/// (plus its first 6 and last 4 for people). Never holds track data, PIN blocks or CVV.
/// </summary>
public sealed record ForwardedRecord
{
    public const byte Version = 1;

    public required int Mti { get; init; }
    public required string IssuerId { get; init; }
    public required int IssuerStan { get; init; }
    public required string IssuerRrn { get; init; }
    public required long TransmissionTime { get; init; }
    public required long Amount { get; init; }
    public required string Currency { get; init; }
    public required string ProcessingCode { get; init; }
    public required string AcquirerId { get; init; }
    public required string TerminalId { get; init; }
    public required string MerchantId { get; init; }
    public required int AcquirerStan { get; init; }
    public required string AcquirerRrn { get; init; }
    public required string MaskedPan { get; init; }
    public required string PanKeyId { get; init; }
    public required byte[] EncryptedPan { get; init; }

    /// <summary>The wallet contract's idempotency key of the original request (DE32-DE41-DE11-DE7).</summary>
    public string IdempotencyKey => $"{AcquirerId}-{TerminalId}-{AcquirerStan:D6}-{TransmissionTime:D10}";

    /// <summary>Encodes the forwarded request of <paramref name="t"/> (hot path: no allocation). Returns the payload length.</summary>
    internal static int Write(Transaction t, PanProtector protector, Span<byte> destination)
    {
        IsoMessage m = t.Request;
        var w = new RecordWriter(destination);
        Span<byte> scratch = stackalloc byte[64];
        w.U8(Version);
        w.U16(m.Mti);
        w.Text(t.Issuer!.Id);
        w.I32(t.IssuerStan);
        Span<byte> rrn = stackalloc byte[12];
        t.IssuerRrn.Format(rrn);
        w.Bytes(rrn);
        m.TryGetInt64(7, out long transmission);
        w.I64(transmission);
        w.I64(t.Amount);
        w.Bytes(Field(m, 49, scratch));
        w.Bytes(Field(m, 3, scratch));
        w.Bytes(Field(m, 32, scratch));
        w.Bytes(Field(m, 41, scratch));
        w.Bytes(Field(m, 42, scratch));
        m.TryGetInt64(11, out long acquirerStan);
        w.I32((int)acquirerStan);
        w.Bytes(Field(m, 37, scratch));
        ReadOnlySpan<byte> pan = Field(m, 2, scratch);
        Span<char> masked = stackalloc char[19];
        int maskedLength = PanMask.Mask(pan, masked);
        Span<byte> maskedBytes = w.ReserveBytes(maskedLength);
        for (int i = 0; i < maskedLength; i++) maskedBytes[i] = (byte)masked[i];
        w.Text(protector.KeyId);
        Span<byte> blob = stackalloc byte[PanProtector.MaxBlobBytes];
        int blobLength = protector.Protect(pan, blob);
        w.Bytes(blob[..blobLength]);
        return w.Length;
    }

    private static ReadOnlySpan<byte> Field(IsoMessage m, int field, Span<byte> scratch)
        => m.TryGetAscii(field, scratch, out ReadOnlySpan<byte> value) ? value : default;

    /// <summary>Only the issuer and the STAN the switch gave it, without decoding the rest (nothing allocated).</summary>
    public static bool TryReadIssuerStan(ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> issuerId, out int issuerStan)
    {
        var r = new RecordReader(payload);
        issuerId = default;
        issuerStan = 0;
        if (r.U8() != Version) return false;
        r.U16();
        issuerId = r.Bytes();
        issuerStan = r.I32();
        return !r.Failed;
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out ForwardedRecord? record)
    {
        var r = new RecordReader(payload);
        record = null;
        if (r.U8() != Version) return false;
        record = new ForwardedRecord
        {
            Mti = r.U16(),
            IssuerId = r.Text(),
            IssuerStan = r.I32(),
            IssuerRrn = r.Text(),
            TransmissionTime = r.I64(),
            Amount = r.I64(),
            Currency = r.Text(),
            ProcessingCode = r.Text(),
            AcquirerId = r.Text(),
            TerminalId = r.Text().Trim(),
            MerchantId = r.Text().Trim(),
            AcquirerStan = r.I32(),
            AcquirerRrn = r.Text(),
            MaskedPan = r.Text(),
            PanKeyId = r.Text(),
            EncryptedPan = r.Bytes().ToArray(),
        };
        if (r.Failed) record = null;
        return record is not null;
    }
}
