using System.Diagnostics;

namespace PaymentSwitch.LoadTest.Internal;

/// <summary>
/// The fields of one sent request that an answer must echo or a later reversal needs, kept as ASCII in a fixed
/// 128-byte record (length byte + content per field) inside a per-connection arena. No allocation per request.
/// </summary>
internal static class TransactionRecord
{
    public const int SizeBytes = 128;

    /// <summary>Fields kept, in record order. DE2 is kept for reversals only; the rest are echoed by the switch.</summary>
    public static ReadOnlySpan<byte> Fields => [2, 3, 4, 7, 11, 12, 13, 32, 37, 41, 42, 49];

    /// <summary>Fields an answer must echo unchanged (when the request carried them).</summary>
    public static ReadOnlySpan<byte> EchoedFields => [3, 4, 7, 11, 12, 13, 32, 37, 41, 42, 49];

    private static readonly byte[] Offsets = BuildOffsets(out Capacities);
    private static readonly byte[] Capacities;

    private static byte[] BuildOffsets(out byte[] capacities)
    {
        ReadOnlySpan<byte> maxima = [19, 6, 12, 10, 6, 6, 4, 11, 12, 8, 15, 3];
        var offsets = new byte[129];
        capacities = new byte[129];
        int pos = 0;
        for (int i = 0; i < Fields.Length; i++)
        {
            offsets[Fields[i]] = (byte)pos;
            capacities[Fields[i]] = maxima[i];
            pos += 1 + maxima[i];
        }
        Debug.Assert(pos <= SizeBytes, "the record layout must fit its size");
        return offsets;
    }

    /// <summary>Bit of <paramref name="field"/> in a field mask (fields 2..63).</summary>
    public static ulong Bit(int field) => 1UL << field;

    public static void Set(Span<byte> record, int field, ReadOnlySpan<byte> value)
    {
        Debug.Assert(Capacities[field] > 0 && value.Length <= Capacities[field], "field must be kept and fit");
        int offset = Offsets[field];
        record[offset] = (byte)value.Length;
        value.CopyTo(record.Slice(offset + 1, value.Length));
    }

    /// <summary>A writable span of exactly <paramref name="length"/> bytes for <paramref name="field"/>.</summary>
    public static Span<byte> Reserve(Span<byte> record, int field, int length)
    {
        Debug.Assert(Capacities[field] > 0 && length <= Capacities[field], "field must be kept and fit");
        int offset = Offsets[field];
        record[offset] = (byte)length;
        return record.Slice(offset + 1, length);
    }

    public static ReadOnlySpan<byte> Get(ReadOnlySpan<byte> record, int field)
    {
        int offset = Offsets[field];
        return record.Slice(offset + 1, record[offset]);
    }
}
