namespace PaymentSwitch.Core.Routing;

/// <summary>What <see cref="BinRoutesJson.Parse"/> found: the routes, or why there are none.</summary>
public sealed class BinRoutesParseResult
{
    internal BinRoutesParseResult(IReadOnlyList<BinRoute> routes, IReadOnlyList<BinRouteError> errors, bool isIncomplete)
    {
        Routes = routes;
        Errors = errors;
        IsIncomplete = isIncomplete;
    }

    /// <summary>The routes in document order; empty when there are errors.</summary>
    public IReadOnlyList<BinRoute> Routes { get; }

    /// <summary>What is wrong, each error naming the entry by its index in the JSON array.</summary>
    public IReadOnlyList<BinRouteError> Errors { get; }

    /// <summary>True when there are no errors.</summary>
    public bool Succeeded => Errors.Count == 0;

    /// <summary>
    /// True when the text is empty or not well-formed JSON, as it is while a writer is still saving the file:
    /// reading it again a little later may succeed.
    /// </summary>
    public bool IsIncomplete { get; }
}
