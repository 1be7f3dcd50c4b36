using System.Runtime.InteropServices;

namespace PaymentSwitch.Core.Routing.Internal;

/// <summary>
/// A validated route in compact form: both ends as numbers of <see cref="Length"/> digits. Kept by the table (in
/// entry order) instead of the operator's strings, so a million routes cost 32 MB, not hundreds.
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal readonly struct RouteRecord(long low, long high, int length, bool isPrefix, int entryIndex, int issuerIndex)
{
    /// <summary>Low end, as a number of <see cref="Length"/> digits.</summary>
    public readonly long Low = low;

    /// <summary>High end, inclusive.</summary>
    public readonly long High = high;

    /// <summary>0-based position of the route in the configuration.</summary>
    public readonly int EntryIndex = entryIndex;

    /// <summary>Index into the table's issuer list.</summary>
    public readonly int IssuerIndex = issuerIndex;

    /// <summary>Number of digits of both ends (1..11).</summary>
    public readonly byte Length = (byte)length;

    public readonly bool IsPrefix = isPrefix;

    /// <summary>Number of <see cref="Length"/>-digit values covered, minus one (0 for a prefix).</summary>
    public long WidthMinusOne => High - Low;

    /// <summary>First key covered, in the 11-digit key space.</summary>
    public long KeyStart => Low * PanKey.ScaleOf(Length);

    /// <summary>First key after the route, in the 11-digit key space (exclusive end; at most 10^11).</summary>
    public long KeyEnd => (High + 1) * PanKey.ScaleOf(Length);

    public string Describe(string issuerId) => IsPrefix
        ? $"prefix {RouteText.Digits(Low, Length)} -> {issuerId}"
        : $"range {RouteText.Digits(Low, Length)}-{RouteText.Digits(High, Length)} -> {issuerId}";
}
