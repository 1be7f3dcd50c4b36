using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PaymentSwitch.Core.Acquiring;
using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Core.Configuration;
using PaymentSwitch.Core.Durability;
using PaymentSwitch.Core.Issuers;
using PaymentSwitch.Core.Metrics;
using PaymentSwitch.Core.Routing;
using PaymentSwitch.Iso8583;
using PaymentSwitch.Journal;
using PaymentSwitch.Simulators;

namespace PaymentSwitch.Host.WarmUp;

/// <summary>
/// Runs the authorisation path on synthetic traffic before the real listeners open (<c>Switch:WarmUpMaxSeconds</c>),
/// so the first real authorisations meet compiled, profiled code instead of paying for it: measured on this project's
/// 2-core machine, a cold switch answered 16–19k of 50,000 offered per second in its first second.
/// <para>
/// Everything it uses is its own and thrown away: a second engine, a journal in the <see cref="FolderName"/> subfolder
/// of the real journal's folder (same file system and mode, so the same write path runs; the real journal reads only
/// the files of its own folder) that is deleted afterwards, simulated issuers on loopback ports speaking the configured
/// issuers' dialects, and listeners on loopback ports with the configured acquirers' dialects and framing (without
/// TLS). Nothing reaches the real journal, the real issuers, the switch's counters or its logs. Its journal is bounded
/// (<see cref="MaxJournalBytes"/>), and it does not start when the disk could not hold that above
/// <c>Journal:MinFreeBytes</c>.
/// </para>
/// <para>
/// It stops when, over the last second of flowing traffic, the JIT compiled at most
/// <see cref="SettledMethodsPerSecond"/> methods (and at least <see cref="MinimumTraffic"/> has passed), or at the time
/// limit. Measured on the 2-core machine: ~5,000 compilations over the first ~10 s at 100–250 per quarter second, then
/// 0–20 per quarter second from there on (methods that timers call now and then reach their call counts for a
/// while yet); so "settled" is the end of the burst, not silence. It never stops the switch from starting: a failure
/// is logged and the start goes on cold. A cancelled start (the host stopping) ends it early too, reported as such;
/// the caller decides not to open the listeners.
/// </para>
/// </summary>
internal static class SwitchWarmUp
{
    /// <summary>The throwaway journal's folder, inside the real journal's folder.</summary>
    public const string FolderName = "warm-up";

    /// <summary>The throwaway journal stops the warm-up once it holds this much (measured: 240–370 bytes per answer).</summary>
    public const long MaxJournalBytes = 256L * 1024 * 1024;

    private const long WarmUpSegmentBytes = 8L * 1024 * 1024;
    private const int SettledMethodsPerSecond = 40;
    private const int PollsPerSecond = 4;
    private static readonly TimeSpan MinimumTraffic = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1.0 / PollsPerSecond);
    private const int ConnectionsPerAcquirer = 4;
    private const string CardIssuerId = "warm-up-card";
    private const string WalletIssuerId = "warm-up-wallet";

    /// <summary>The throwaway journal's folder for the real journal in <paramref name="journalDirectory"/>.</summary>
    public static string FolderFor(string journalDirectory) => Path.Combine(Path.GetFullPath(journalDirectory), FolderName);

    public static async Task<WarmUpReport> RunAsync(SwitchOptions options, IReadOnlyDictionary<string, Dialect> dialects, string journalDirectory,
        TimeSpan limit, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        string folder = FolderFor(journalDirectory);
        var clients = new List<WarmUpClient>();
        var links = new List<IssuerLink>();
        var parts = new List<IAsyncDisposable>(); // disposed in reverse order, after the links
        long compiled = 0;
        WarmUpEnding ending = WarmUpEnding.Failed;
        string? problem = null;
        try
        {
            DeleteFolder(folder); // left by a warm-up a crash interrupted

            IssuerOptions? card = options.Issuers.FirstOrDefault(i => i.Kind == "card");
            IssuerOptions? wallet = options.Issuers.FirstOrDefault(i => i.Kind == "wallet");
            if (options.Acquirers.Count == 0 || (card is null && wallet is null))
                return new WarmUpReport(0, 0, Elapsed(started), 0, WarmUpEnding.Failed, "nothing to warm: no acquirer, or no issuer");
            if (FreeBytes(journalDirectory) is long free && free < options.Journal.MinFreeBytes + MaxJournalBytes + 2 * WarmUpSegmentBytes)
                return new WarmUpReport(0, 0, Elapsed(started), 0, WarmUpEnding.Failed,
                    $"not started: {free:N0} bytes free for the journal, and its {MaxJournalBytes:N0} bytes would come out of Journal:MinFreeBytes ({options.Journal.MinFreeBytes:N0})");

            var routes = new List<BinRoute>();
            var prefixes = new List<string>();
            if (card is not null)
            {
                var simulator = new CardIssuerSimulator(new CardIssuerSimulatorOptions
                {
                    ListenEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
                    Dialect = dialects[card.Dialect],
                    FramingName = card.Framing,
                    Tpdu = card.Tpdu,
                    MaxFrameBytes = card.MaxFrameBytes,
                }, NullLogger.Instance);
                parts.Add(simulator);
                await simulator.StartAsync(cancellationToken).ConfigureAwait(false);
                links.Add(new CardIssuerLink(LinkOptions(card, CardIssuerId, simulator.EndPoint!.ToString(), null), dialects[card.Dialect], NullLogger.Instance));
                routes.Add(BinRoute.ForPrefix("4", CardIssuerId));
                prefixes.Add("4");
            }
            if (wallet is not null)
            {
                var simulator = new WalletIssuerSimulator(new WalletIssuerSimulatorOptions { ListenEndPoint = new IPEndPoint(IPAddress.Loopback, 0) }, NullLogger.Instance);
                parts.Add(simulator);
                await simulator.StartAsync(cancellationToken).ConfigureAwait(false);
                links.Add(new WalletIssuerLink(LinkOptions(wallet, WalletIssuerId, null, simulator.BaseAddress!.ToString()), NullLogger.Instance));
                routes.Add(BinRoute.ForPrefix("6", WalletIssuerId));
                prefixes.Add("6");
            }
            // The card path is the busy one: three card requests to each wallet one.
            if (card is not null && wallet is not null) prefixes.InsertRange(0, ["4", "4"]);

            var issuers = new IssuerDirectory(links);
            var router = new BinRouter(BinRoutingTable.Build(routes), links.Select(l => l.Id).ToHashSet(StringComparer.Ordinal));
            var replay = new TransactionReplay(issuers.Find, 1024);
            var fsync = new FsyncLatencyRecorder();
            JournalOptions journalOptions = JournalStartup.OptionsFor(options.Journal, folder, fsync);
            journalOptions.SegmentSizeBytes = Math.Min(journalOptions.SegmentSizeBytes, WarmUpSegmentBytes); // rolls a few times
            var pan = PanProtector.Create(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), "warm-up", Path.Combine(folder, "unused.key"), out _);
            parts.Add(new Disposer(() => { pan.Dispose(); return ValueTask.CompletedTask; }));
            var journal = new TransactionJournal(WriteAheadJournal.Open(journalOptions, replay, out _), pan, fsync);
            parts.Add(journal);
            var engine = new SwitchEngine(router, issuers, journal, options.Switch.InstitutionId, options.Switch.MaxInFlight, NullLogger.Instance,
                1024, TimeSpan.FromSeconds(options.Switch.DuplicateWindowSeconds));
            parts.Add(engine);
            engine.Recover([], replay.Recent, replay.LastIssuerStan);
            foreach (IssuerLink link in links) link.Start();
            if (!await SignedOnAsync(links, TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false))
                return new WarmUpReport(0, 0, Elapsed(started), 0, WarmUpEnding.Failed, "the simulated issuers did not sign on within 5 s");

            var listeners = new List<AcquirerListener>();
            parts.Add(new EachDisposer<AcquirerListener>(listeners));
            foreach (AcquirerOptions acquirer in options.Acquirers)
            {
                var listener = new AcquirerListener(ListenerOptions(acquirer), dialects[acquirer.Dialect], engine, NullLogger.Instance);
                listener.Start();
                listeners.Add(listener);
                Framing framing = Framing.Parse(acquirer.Framing, acquirer.Tpdu, acquirer.MaxFrameBytes);
                int burst = Math.Min(WarmUpClient.MaxBurst, acquirer.MaxInFlightPerConnection);
                for (int i = 0; i < ConnectionsPerAcquirer; i++)
                    clients.Add(new WarmUpClient(listener.LocalEndPoint!, dialects[acquirer.Dialect], framing, clients.Count, prefixes, burst));
            }

            (compiled, ending, problem) = await DriveAsync(clients, () => journal.Journal.GetStats().BytesAppended,
                limit - Stopwatch.GetElapsedTime(started), cancellationToken).ConfigureAwait(false);

            // Let what the stopped clients left in flight finish before anything is closed under it.
            long drainStarted = Stopwatch.GetTimestamp();
            while (engine.InFlight > 0 && Stopwatch.GetElapsedTime(drainStarted) < TimeSpan.FromSeconds(3) && !cancellationToken.IsCancellationRequested)
                await Task.Delay(10, CancellationToken.None).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            problem = "cancelled: the switch is stopping";
        }
        catch (Exception ex)
        {
            // Best effort by design: whatever went wrong, the switch starts (cold) and the reason is logged.
            problem = $"{ex.GetType().Name}: {ex.Message}";
        }
        finally
        {
            // As the switch stops: issuer links first (no answer arrives after), then listeners, engine, journal, PAN
            // key and the simulators. One that fails to close is reported and does not keep the others open.
            parts.Add(new EachDisposer<IssuerLink>(links));
            for (int i = parts.Count - 1; i >= 0; i--)
            {
                try
                {
                    await parts[i].DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    problem ??= $"closing the warm-up's {parts[i].GetType().Name} failed: {ex.Message}";
                }
            }
            DeleteFolder(folder);
        }

        if (cancellationToken.IsCancellationRequested) problem ??= "cancelled: the switch is stopping";
        return new WarmUpReport(clients.Sum(c => c.Answers), clients.Sum(c => c.Approved), Elapsed(started), compiled,
            problem is null ? ending : WarmUpEnding.Failed, problem);
    }

    /// <summary>Free bytes on the journal's file system, or null when that cannot be told.</summary>
    private static long? FreeBytes(string journalDirectory)
    {
        try
        {
            return new DriveInfo(Path.GetFullPath(journalDirectory)).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// Runs every client until compilation settles, the time runs out or the journal holds <see cref="MaxJournalBytes"/>;
    /// returns the methods compiled meanwhile and what ended it. Only approvals count as traffic flowing: a warm-up
    /// answered with 91s or declines does not run the path it is for.
    /// </summary>
    private static async Task<(long Compiled, WarmUpEnding Ending, string? Problem)> DriveAsync(List<WarmUpClient> clients, Func<long> journalBytes,
        TimeSpan limit, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        TimeSpan answerTimeout = TimeSpan.FromSeconds(10);
        Task[] running = [.. clients.Select(c => Task.Run(() => c.RunAsync(answerTimeout, stop.Token), CancellationToken.None))];
        Task all = Task.WhenAll(running);

        long first = System.Runtime.JitInfo.GetCompiledMethodCount();
        long last = first;
        long lastApproved = 0;
        long started = Stopwatch.GetTimestamp();
        var lastSecond = new long[PollsPerSecond]; // compilations in each of the last polls (a ring)
        int polls = 0;
        WarmUpEnding ending = WarmUpEnding.TimeLimit;
        while (!all.IsCompleted && !cancellationToken.IsCancellationRequested)
        {
            if (Stopwatch.GetElapsedTime(started) >= limit) break;
            if (journalBytes() >= MaxJournalBytes)
            {
                ending = WarmUpEnding.JournalLimit;
                break;
            }
            await Task.WhenAny(all, Task.Delay(Poll, CancellationToken.None)).ConfigureAwait(false);
            if (all.IsCompleted || cancellationToken.IsCancellationRequested) break; // a partial poll says nothing
            long now = System.Runtime.JitInfo.GetCompiledMethodCount();
            long approved = clients.Sum(c => c.Approved);
            lastSecond[polls++ % PollsPerSecond] = approved > lastApproved ? now - last : int.MaxValue; // a stall is not settled
            last = now;
            lastApproved = approved;
            if (polls >= PollsPerSecond && lastSecond.Sum() <= SettledMethodsPerSecond && Stopwatch.GetElapsedTime(started) >= MinimumTraffic)
            {
                ending = WarmUpEnding.Settled;
                break;
            }
        }

        stop.Cancel();
        string? problem = null;
        try
        {
            await all.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // the stop itself
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or TimeoutException)
        {
            problem = ex.Message;
        }

        if (problem is null && clients.Sum(c => c.Approved) == 0)
            problem = $"no approvals among {clients.Sum(c => c.Answers):N0} answers";
        return (System.Runtime.JitInfo.GetCompiledMethodCount() - first, ending, problem);
    }

    private static async Task<bool> SignedOnAsync(List<IssuerLink> links, TimeSpan timeout, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        while (!links.All(l => l.HasReadyConnection))
        {
            if (Stopwatch.GetElapsedTime(started) >= timeout) return false;
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
        return true;
    }

    private static IssuerOptions LinkOptions(IssuerOptions source, string id, string? endpoint, string? baseUrl) => new()
    {
        Id = id,
        Kind = source.Kind,
        Endpoints = endpoint is null ? [] : [endpoint],
        BaseUrl = baseUrl,
        Dialect = source.Dialect,
        Framing = source.Framing,
        Tpdu = source.Tpdu,
        MaxFrameBytes = source.MaxFrameBytes,
        Connections = source.Connections,
        MaxHttpConnections = source.MaxHttpConnections,
        TimeoutMs = source.TimeoutMs,
        MaxInFlight = source.MaxInFlight,
        MaxWriteBufferBytes = source.MaxWriteBufferBytes,
        ReconnectInitialMs = 50,
        ReconnectMaxMs = 500,
    };

    private static AcquirerOptions ListenerOptions(AcquirerOptions source) => new()
    {
        Name = source.Name + "-" + FolderName,
        Listen = "127.0.0.1:0",
        Dialect = source.Dialect,
        Framing = source.Framing,
        Tpdu = source.Tpdu,
        MaxFrameBytes = source.MaxFrameBytes,
        MaxInFlightPerConnection = source.MaxInFlightPerConnection,
        ReceivePauseBytes = source.ReceivePauseBytes,
        MaxWriteBufferBytes = source.MaxWriteBufferBytes,
    };

    private static double Elapsed(long started) => Stopwatch.GetElapsedTime(started).TotalSeconds;

    private static void DeleteFolder(string folder)
    {
        try
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Tried again at the next start.
        }
    }

    private sealed class Disposer(Func<ValueTask> dispose) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => dispose();
    }

    private sealed class EachDisposer<T>(List<T> parts) : IAsyncDisposable where T : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (T part in parts) await part.DisposeAsync().ConfigureAwait(false);
        }
    }
}
