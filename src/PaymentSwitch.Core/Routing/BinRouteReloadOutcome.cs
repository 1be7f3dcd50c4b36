namespace PaymentSwitch.Core.Routing;

/// <summary>What a reload of the BIN routes did.</summary>
public enum BinRouteReloadOutcome
{
    /// <summary>A new table was built and is now in force.</summary>
    Swapped = 0,

    /// <summary>The source had not changed since it was last processed; nothing was rebuilt.</summary>
    Unchanged = 1,

    /// <summary>The new routes were not usable; the previous table stays in force. <see cref="BinRouteReloadResult.Errors"/> says why.</summary>
    Rejected = 2,

    /// <summary>
    /// The change was based on a version that is no longer in force (another change came first); nothing was built
    /// and the table in force stays. Read the routes again and redo the change.
    /// </summary>
    Superseded = 3,
}
