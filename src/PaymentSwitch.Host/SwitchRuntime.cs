using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PaymentSwitch.Core.Acquiring;
using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Core.Configuration;
using PaymentSwitch.Core.Issuers;
using PaymentSwitch.Core.Durability;
using PaymentSwitch.Core.Reversals;
using PaymentSwitch.Core.Routing;
using PaymentSwitch.Host.Configuration;
using PaymentSwitch.Host.WarmUp;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Host;

/// <summary>
/// Builds and runs the switch from its configuration: dialects, embedded simulators (when configured), routes,
/// issuer links, the engine, then the acquirer listeners last (so nothing is accepted before the switch can answer).
/// Stops in the reverse order: stop accepting, let in-flight requests finish, sign off, close.
/// </summary>
internal sealed class SwitchRuntime : IHostedService, IAsyncDisposable
{
    private readonly ConfigurationLoader _config;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _log;
    private readonly List<AcquirerListener> _listeners = [];
    private IAsyncDisposable? _simulators;
    private BinRoutesFileWatcher? _routesWatcher;

    public SwitchRuntime(ConfigurationLoader config, IReadOnlyDictionary<string, Dialect> dialects, ILoggerFactory loggers)
    {
        _config = config;
        Dialects = dialects;
        _loggers = loggers;
        _log = loggers.CreateLogger("PaymentSwitch");
    }

    public SwitchOptions Options => _config.Options;
    public IReadOnlyDictionary<string, Dialect> Dialects { get; }
    public SwitchEngine? Engine { get; private set; }
    public ITransactionJournal? Journal { get; private set; }
    public BinRouter? Router { get; private set; }
    public IReadOnlyList<AcquirerListener> Listeners => _listeners;
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>
    /// For tests: wraps the journal the engine writes through (not the one status and shutdown use), so a test can
    /// hold a record back and open the window between an append and its durability on purpose.
    /// </summary>
    internal Func<ITransactionJournal, ITransactionJournal>? InterposeJournal { get; init; }

    /// <summary>What the warm-up before the listeners did (null when <c>Switch:WarmUpMaxSeconds</c> is 0).</summary>
    public WarmUpReport? WarmUpResult { get; private set; }

    /// <summary>True once every listener is open.</summary>
    public bool ListenersOpen { get; private set; }

    /// <summary>Completes when the listeners are open; faults or is cancelled as <see cref="StartAsync"/> does.</summary>
    public Task Started => _started.Task;

    // Continuations run inline: the status monitor makes its metrics before the listeners count as open.
    private readonly TaskCompletionSource _started = new();

    /// <summary>True while the warm-up before the listeners runs.</summary>
    public bool WarmingUp { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await StartCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _started.TrySetCanceled(cancellationToken);
            throw;
        }
        catch (Exception ex)
        {
            _started.TrySetException(ex);
            throw;
        }
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        SwitchOptions options = Options;
        PaymentSwitch.Core.Networking.TlsPaths.Resolve(options, _config.ConfigDirectory);
        if (options.Simulators.Embedded)
            _simulators = await EmbeddedSimulators.StartAsync(options.Simulators, Dialects, _loggers, cancellationToken).ConfigureAwait(false);

        Router = LoadRoutes(options);

        var links = new List<IssuerLink>();
        foreach (IssuerOptions issuer in options.Issuers)
        {
            ILogger logger = _loggers.CreateLogger($"PaymentSwitch.Issuer.{issuer.Id}");
            links.Add(issuer.Kind == "card"
                ? new CardIssuerLink(issuer, Dialects[issuer.Dialect], logger)
                : new WalletIssuerLink(issuer, logger));
        }
        var directory = new IssuerDirectory(links);

        // Rule 4: replay the journal before anything is accepted.
        var replay = new TransactionReplay(directory.Find, options.Switch.RecentTransactions);
        Journal = JournalStartup.Open(options.Journal, _config, replay, _loggers.CreateLogger("PaymentSwitch.Journal"));
        Engine = new SwitchEngine(Router, directory, InterposeJournal?.Invoke(Journal) ?? Journal, options.Switch.InstitutionId,
            options.Switch.MaxInFlight, _loggers.CreateLogger("PaymentSwitch.Engine"), options.Switch.RecentTransactions,
            TimeSpan.FromSeconds(options.Switch.DuplicateWindowSeconds));
        IReadOnlyList<PendingReversal> owed = replay.OwedReversals();
        Engine.Recover(owed, replay.Recent, replay.LastIssuerStan);
        _log.LogInformation("Journal replayed: {Records} records, {Forwarded} forwarded, {Owed} reversals owed and re-queued", replay.Records, replay.Forwarded, owed.Count);
        if (replay.OwedWithoutOriginal > 0)
            _log.LogWarning("Journal replay: {Count} outcomes owe a reversal whose Forwarded record is no longer in the journal (retired before the reversal was answered); they cannot be sent again. Reconcile them with the issuer (`PaymentSwitch journal report` lists the outcomes).", replay.OwedWithoutOriginal);
        cancellationToken.ThrowIfCancellationRequested(); // a stop that came during the journal check: start nothing more
        foreach (IssuerLink link in links) link.Start();

        // The real links sign on meanwhile; nothing real is accepted until the warm-up is over.
        if (options.Switch.WarmUpMaxSeconds > 0)
        {
            WarmingUp = true; // before the line below, which tests take as "warming up now"
            _log.LogInformation("Warm-up: synthetic traffic through a throwaway engine for at most {Seconds} s before the listeners open", options.Switch.WarmUpMaxSeconds);
            try
            {
                WarmUpResult = await SwitchWarmUp.RunAsync(options, Dialects, _config.Resolve(options.Journal.Directory),
                    TimeSpan.FromSeconds(options.Switch.WarmUpMaxSeconds), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                WarmingUp = false;
            }
            if (WarmUpResult.Problem is null) _log.LogInformation("Warm-up: {Report}", WarmUpResult.ToString());
            else if (!cancellationToken.IsCancellationRequested) _log.LogWarning("Warm-up {Report}; the switch starts without it (cold: slower for its first seconds)", WarmUpResult.ToString());
            // The throwaway engine's memory goes back to the system now, not in a full collection under live traffic.
            // Not inline: this continuation runs inside the warm-up's last step, whose frame still holds the whole
            // throwaway engine (measured: everything survived a collection made here without the yield).
            await Task.Yield();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
        cancellationToken.ThrowIfCancellationRequested(); // stopping: open nothing

        foreach (AcquirerOptions acquirer in options.Acquirers)
        {
            var listener = new AcquirerListener(acquirer, Dialects[acquirer.Dialect], Engine, _loggers.CreateLogger($"PaymentSwitch.Acquirer.{acquirer.Name}"));
            listener.Start();
            _listeners.Add(listener);
        }
        _started.TrySetResult(); // the status monitor's metrics first, so readiness never says yes before /status answers
        ListenersOpen = true;
    }

    private BinRouter LoadRoutes(SwitchOptions options)
    {
        string path = _config.Resolve(options.Routes.File);
        RoutesFilePath = path;
        var known = options.Issuers.Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        var router = new BinRouter(BinRoutingTable.Empty, known);
        if (!File.Exists(path)) throw new ConfigurationException($"Routes:File: '{path}' does not exist.");
        _routesWatcher = new BinRoutesFileWatcher(router, path, new BinRoutesFileWatcherOptions());
        BinRouteReloadResult first = _routesWatcher.ReloadNow();
        if (!first.Succeeded) throw new ConfigurationException($"Routes:File: '{path}': {first}");
        _log.LogInformation("Routes loaded from {Path}: {Count} routes, version {Version}", path, router.Current.RouteCount, router.Current.Version);
        _routesWatcher.ReloadCompleted += (_, result) =>
        {
            if (result.Succeeded) _log.LogInformation("Routes reloaded from {Path}: {Result}", path, result.ToString());
            else _log.LogWarning("Routes file {Path} changed but was refused; the previous table stays in force: {Result}", path, result.ToString());
        };
        if (!options.Routes.Watch)
        {
            _routesWatcher.Dispose();
            _routesWatcher = null;
        }
        return router;
    }

    /// <summary>The routes file in use (resolved), once started.</summary>
    public string? RoutesFilePath { get; private set; }

    /// <summary>
    /// Writes routes already put in force over the operator endpoint, as table <paramref name="version"/>, back to the
    /// routes file (atomically; while the file is watched, its own change notification then rebuilds nothing). Returns
    /// the file written, or null when <c>Routes:SaveChanges</c> is off.
    /// </summary>
    /// <exception cref="IOException">The file could not be written; the routes stay in force in memory only.</exception>
    /// <exception cref="UnauthorizedAccessException">No permission to write the file.</exception>
    /// <exception cref="RoutesSupersededException">An edit of the watched file read after this table was put in force
    /// replaced it; the file holds that edit, which is in force.</exception>
    public string? SaveRoutes(IReadOnlyList<BinRoute> routes, long version)
    {
        if (!Options.Routes.SaveChanges || RoutesFilePath is not string path) return null;
        if (_routesWatcher is BinRoutesFileWatcher watcher)
        {
            if (!watcher.Save(routes, version)) throw new RoutesSupersededException(path);
        }
        else
        {
            BinRoutesFile.Save(path, routes);
        }
        return path;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(Options.Switch.ShutdownDeadlineMs);
        foreach (AcquirerListener listener in _listeners) listener.StopAccepting();
        Engine?.BeginDrain();
        _log.LogInformation("Stopping: no new connections, new requests answered 91; waiting up to {DeadlineMs} ms for {InFlight} requests in flight", Options.Switch.ShutdownDeadlineMs, Engine?.InFlight ?? 0);
        // Requests in flight get their answers (each is bounded by its issuer's timeout); reversal attempts do not hold the stop.
        if (Engine is not null)
        {
            while (Engine.InFlight > Engine.ReversalAttemptsInFlight && DateTime.UtcNow < deadline)
                await Task.Delay(20, CancellationToken.None).ConfigureAwait(false);
            if (Engine.InFlight > Engine.ReversalAttemptsInFlight)
                _log.LogWarning("Stop deadline reached with {InFlight} requests in flight; their outcome is in the journal and unknown ones are reversed on the next start", Engine.InFlight);
        }
        await DisposeAsync().ConfigureAwait(false);
        _log.LogInformation("Stopped: journal flushed, issuer links signed off");
    }

    public async ValueTask DisposeAsync()
    {
        // Issuer links first: after this no answer arrives, so none can be journaled as an approval and then find its
        // acquirer connection closed. What is still in flight has no outcome and is reversed on the next start.
        if (Engine is not null)
            foreach (IssuerLink link in Engine.Issuers.All) await link.DisposeAsync().ConfigureAwait(false);
        foreach (AcquirerListener listener in _listeners) await listener.DisposeAsync().ConfigureAwait(false);
        _listeners.Clear();
        _routesWatcher?.Dispose();
        _routesWatcher = null;
        if (Engine is not null)
        {
            await Engine.DisposeAsync().ConfigureAwait(false);
            Engine = null;
        }
        if (Journal is IAsyncDisposable journal) await journal.DisposeAsync().ConfigureAwait(false);
        Journal = null;
        if (_simulators is not null) await _simulators.DisposeAsync().ConfigureAwait(false);
        _simulators = null;
    }
}
