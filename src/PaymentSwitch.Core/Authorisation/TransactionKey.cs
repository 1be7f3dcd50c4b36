using System.Buffers.Binary;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Core.Authorisation;

/// <summary>
/// The identity of an acquirer's transaction: acquirer (DE32), terminal (DE41), STAN (DE11) and transmission time
/// (DE7). Two requests with the same key are the same transaction (a duplicate or a repeat).
/// </summary>
public readonly record struct TransactionKey(long Acquirer, ulong Terminal, int Stan, long TransmissionTime)
{
    /// <summary>The key of <paramref name="m"/>; false when a part is missing or not numeric.</summary>
    public static bool TryCreate(IsoMessage m, out TransactionKey key)
    {
        key = default;
        Span<byte> terminal = stackalloc byte[8];
        terminal.Fill((byte)' ');
        if (!m.TryGetInt64(32, out long acquirer) || !m.TryGetInt64(11, out long stan) || !m.TryGetInt64(7, out long time)) return false;
        if (m.CopyContent(41, terminal) < 0) return false;
        key = new TransactionKey(acquirer, BinaryPrimitives.ReadUInt64BigEndian(terminal), (int)stan, time);
        return true;
    }

    /// <summary>The key of the original a reversal names: DE90 (original STAN, DE7, DE32) and the reversal's own DE41.</summary>
    public static bool TryCreateOriginal(IsoMessage reversal, out TransactionKey key, out int originalMti)
    {
        key = default;
        originalMti = 0;
        Span<byte> de90 = stackalloc byte[42];
        Span<byte> terminal = stackalloc byte[8];
        terminal.Fill((byte)' ');
        if (reversal.CopyContent(90, de90) != 42 || reversal.CopyContent(41, terminal) < 0) return false;
        originalMti = (int)Digits(de90[..4]);
        key = new TransactionKey(Digits(de90.Slice(20, 11)), BinaryPrimitives.ReadUInt64BigEndian(terminal), (int)Digits(de90.Slice(4, 6)), Digits(de90.Slice(10, 10)));
        return true;
    }

    private static long Digits(ReadOnlySpan<byte> ascii)
    {
        long value = 0;
        foreach (byte b in ascii) value = (value * 10) + (b - '0');
        return value;
    }
}
