namespace PaymentSwitch.Core.Routing.Internal;

/// <summary>
/// Collects validation errors up to a bound (<see cref="MaxErrors"/>); beyond it only counts them, and the list
/// handed back ends with one line saying how many more there were. A million bad lines must not produce a
/// million-line message.
/// </summary>
internal sealed class RouteErrorList
{
    public const int MaxErrors = 100;

    private readonly List<BinRouteError> _errors = [];
    private int _dropped;

    public int Count => _errors.Count + _dropped;

    public void Add(int entryIndex, string message)
    {
        if (_errors.Count < MaxErrors)
        {
            _errors.Add(new BinRouteError(entryIndex, message));
        }
        else
        {
            _dropped++;
        }
    }

    public IReadOnlyList<BinRouteError> ToList()
    {
        if (_dropped == 0)
        {
            return _errors.ToArray();
        }

        var all = new BinRouteError[_errors.Count + 1];
        _errors.CopyTo(all);
        all[^1] = new BinRouteError(-1, $"... and {_dropped} more errors (only the first {MaxErrors} are listed).");
        return all;
    }
}
