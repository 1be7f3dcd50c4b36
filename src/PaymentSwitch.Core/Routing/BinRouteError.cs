namespace PaymentSwitch.Core.Routing;

/// <summary>
/// Why a routing configuration was rejected. <see cref="EntryIndex"/> is the 0-based position of the offending
/// route in the list (or JSON array), or -1 when the problem concerns the whole document.
/// </summary>
/// <param name="EntryIndex">0-based position of the route, -1 for the document as a whole.</param>
/// <param name="Message">What is wrong and, where it helps, how to fix it.</param>
public sealed record BinRouteError(int EntryIndex, string Message)
{
    /// <summary>The error as one line, e.g. <c>routes[3]: Low "51000" has 5 digits but High "559999" has 6 …</c>.</summary>
    public override string ToString() => EntryIndex >= 0 ? $"routes[{EntryIndex}]: {Message}" : Message;
}
