using System.Diagnostics;

namespace PaymentSwitch.Simulators.Internal;

/// <summary>
/// Identifies a card transaction as a reversal's DE90 names it: the original STAN (DE11), transmission date and time
/// (DE7, MMDDhhmmss) and acquiring institution (DE32, 0 when absent).
/// </summary>
/// <remarks>
/// <see cref="Packed"/> squeezes the three into 64 bits: bits 0–19 the STAN (at most 999 999), bits 20–44 DE7 as the
/// second of the year (at most 31 × 12 × 86 400 &lt; 2^25; a DE7 that is not a real date falls back to its value
/// modulo 2^25), bits 45–63 a 19-bit fold of DE32. Two different transactions share a packed key only when their
/// STAN and second agree and their acquirers fold alike, so the index uses the packed key as its hash and first
/// comparison and then confirms DE7 and DE32 in full: matching is exact.
/// </remarks>
internal readonly record struct CardTransactionKey(int Stan, long De7, long De32)
{
    public ulong Packed
    {
        get
        {
            Debug.Assert(Stan is >= 0 and <= 999_999);
            ulong second = SecondOfYear(De7);
            ulong acquirer = ((ulong)De32 * 0x9E3779B97F4A7C15UL) >> 45; // top 19 bits
            return (uint)Stan | (second << 20) | (acquirer << 45);
        }
    }

    private static ulong SecondOfYear(long de7)
    {
        long ss = de7 % 100, mm = de7 / 100 % 100, hh = de7 / 10_000 % 100, dd = de7 / 1_000_000 % 100, mo = de7 / 100_000_000;
        if (mo is >= 1 and <= 12 && dd is >= 1 and <= 31 && hh < 24 && mm < 60 && ss < 60)
            return (ulong)((((((mo - 1) * 31) + (dd - 1)) * 86_400) + (hh * 3600) + (mm * 60) + ss));
        return (ulong)de7 & ((1UL << 25) - 1);
    }
}
