namespace PaymentSwitch.Core.Routing;

/// <summary>Thrown by <see cref="BinRoutingTable.Build"/> when the routes are invalid; lists every error found.</summary>
public sealed class BinRoutingValidationException : Exception
{
    /// <summary>Creates the exception from the list of errors (at least one).</summary>
    public BinRoutingValidationException(IReadOnlyList<BinRouteError> errors)
        : base(Describe(errors))
    {
        Errors = errors;
    }

    /// <summary>Every error found, in entry order.</summary>
    public IReadOnlyList<BinRouteError> Errors { get; }

    private static string Describe(IReadOnlyList<BinRouteError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return errors.Count switch
        {
            0 => "The BIN routes are invalid.",
            1 => $"The BIN routes are invalid: {errors[0]}",
            _ => $"The BIN routes are invalid ({errors.Count} errors):{Environment.NewLine}  "
                 + string.Join(Environment.NewLine + "  ", errors),
        };
    }
}
