using System.Diagnostics;

namespace PaymentSwitch.Core.Routing.Internal;

/// <summary>
/// A route's place in specificity order packed into one <see cref="ulong"/>, so a million routes sort as plain
/// integers: ascending keys run from most to least specific.
/// </summary>
/// <remarks>
/// Bits 63..60: 11 − length (more digits first). Bits 59..23: width − 1, the number of values from Low to High
/// minus one, at most 10^11 − 1 &lt; 2^37 (narrower first). Bits 22..0: entry index (earlier entry first; this only
/// separates routes that are equally specific and name the same issuer, since equally specific overlapping
/// routes for different issuers are rejected).
/// </remarks>
internal static class SpecificityKey
{
    public const int EntryBits = 23;
    public const int MaxEntries = 1 << EntryBits;
    private const int WidthBits = 37;
    private const int LengthShift = EntryBits + WidthBits;
    private const ulong EntryMask = (1UL << EntryBits) - 1;
    private const ulong WidthMask = (1UL << WidthBits) - 1;

    public static ulong Of(in RouteRecord route)
    {
        Debug.Assert(route.EntryIndex is >= 0 and < MaxEntries);
        Debug.Assert((ulong)route.WidthMinusOne <= WidthMask);
        return ((ulong)(PanKey.KeyDigits - route.Length) << LengthShift)
            | ((ulong)route.WidthMinusOne << EntryBits)
            | (uint)route.EntryIndex;
    }

    public static int EntryIndexOf(ulong key) => (int)(key & EntryMask);

    public static int LengthOf(ulong key) => PanKey.KeyDigits - (int)(key >> LengthShift);

    public static long WidthMinusOneOf(ulong key) => (long)((key >> EntryBits) & WidthMask);

    /// <summary>Equal for routes of the same length and width: the routes that can tie.</summary>
    public static ulong SpecificityOf(ulong key) => key >> EntryBits;
}
