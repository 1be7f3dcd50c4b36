namespace PaymentSwitch.Core.Routing;

/// <summary>Settings for <see cref="BinRoutingTable.Build"/> and <see cref="BinRoutingTable.TryBuild"/>.</summary>
public sealed class BinRoutingTableBuildOptions
{
    internal static readonly BinRoutingTableBuildOptions Default = new();

    /// <summary>Version number of the snapshot (the <see cref="BinRouter"/> uses the previous version + 1).</summary>
    public long Version { get; init; } = 1;

    /// <summary>Where the routes came from (file and content hash, "operator API", …), shown with the snapshot.</summary>
    public string? Source { get; init; }

    /// <summary>
    /// When set, a route naming an issuer outside this set is an error (catch a typo before it routes real
    /// authorisations to nowhere). Compared ordinally.
    /// </summary>
    public IReadOnlySet<string>? KnownIssuers { get; init; }

    /// <summary>Clock for <see cref="BinRoutingTable.BuiltAtUtc"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
