using System.Runtime.InteropServices;

namespace PaymentSwitch.Core.Routing.Internal;

/// <summary>
/// One piece of the flattened table: every key from <see cref="Start"/> up to the next segment's start routes
/// to <see cref="EntryIndex"/> (or nowhere when it is -1). 16 bytes, so the winner and its issuer arrive with
/// the key that was compared.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct RouteSegment(long start, int entryIndex, int issuerIndex)
{
    public readonly long Start = start;
    public readonly int EntryIndex = entryIndex;
    public readonly int IssuerIndex = issuerIndex;

    public static RouteSegment NoRouteFrom(long start) => new(start, -1, -1);
}
