using System.Net;
using Microsoft.Extensions.Logging;
using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Host;
using PaymentSwitch.Host.Configuration;
using PaymentSwitch.Host.Status;
using PaymentSwitch.Iso8583;
using PaymentSwitch.Simulators;

namespace PaymentSwitch.Integration.Tests.Support;

/// <summary>
/// A switch started in-process from a real configuration file in a temporary folder, with a real card issuer
/// simulator and wallet issuer simulator on loopback ports. Logs are captured for checks.
/// </summary>
internal sealed class RunningSwitch : IAsyncDisposable
{
    public static readonly string RepositoryRoot = FindRepositoryRoot();
    public static readonly string DialectDirectory = Path.Combine(RepositoryRoot, "config", "dialects");
    public static readonly Dialect Ascii = DialectLoader.LoadByName(DialectDirectory, "iso87-ascii");

    private readonly ILoggerFactory _loggers;

    private RunningSwitch(string directory, CardIssuerSimulator card, WalletIssuerSimulator wallet, SwitchRuntime runtime, CapturedLogs logs, ILoggerFactory loggers)
    {
        Directory = directory;
        Card = card;
        Wallet = wallet;
        Runtime = runtime;
        Logs = logs;
        _loggers = loggers;
    }

    public string Directory { get; }
    public CardIssuerSimulator Card { get; }
    public WalletIssuerSimulator Wallet { get; }
    public SwitchRuntime Runtime { get; }
    public CapturedLogs Logs { get; }
    public IPEndPoint Acquirer => Runtime.Listeners[0].LocalEndPoint!;
    public string RoutesFile => Path.Combine(Directory, "routes.json");

    public Task<TestTerminal> ConnectAsync() => TestTerminal.ConnectAsync(Acquirer, Ascii);

    public static async Task<RunningSwitch> StartAsync(
        Action<CardIssuerSimulatorOptions>? card = null,
        Action<WalletIssuerSimulatorOptions>? wallet = null,
        string[]? overrides = null,
        string? routesJson = null,
        Func<ITransactionJournal, ITransactionJournal>? interposeJournal = null)
    {
        var logs = new CapturedLogs();
        ILoggerFactory loggers = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));

        var cardOptions = new CardIssuerSimulatorOptions { ListenEndPoint = new IPEndPoint(IPAddress.Loopback, 0), Dialect = Ascii };
        card?.Invoke(cardOptions);
        var cardSimulator = new CardIssuerSimulator(cardOptions, loggers.CreateLogger("test.card-sim"));
        await cardSimulator.StartAsync();

        var walletOptions = new WalletIssuerSimulatorOptions { ListenEndPoint = new IPEndPoint(IPAddress.Loopback, 0) };
        wallet?.Invoke(walletOptions);
        var walletSimulator = new WalletIssuerSimulator(walletOptions, loggers.CreateLogger("test.wallet-sim"));
        await walletSimulator.StartAsync();

        string directory = System.IO.Directory.CreateTempSubdirectory("paymentswitch-it-").FullName;
        File.WriteAllText(Path.Combine(directory, "routes.json"), routesJson ?? """
            [
              { "Prefix": "476173", "Issuer": "card-sim" },
              { "Low": "510000", "High": "559999", "Issuer": "card-sim" },
              { "Prefix": "627", "Issuer": "wallet-sim" }
            ]
            """);
        File.WriteAllText(Path.Combine(directory, "switch.json"), $$"""
            {
              "Acquirers": [ { "Name": "pos", "Listen": "127.0.0.1:0", "Dialect": "iso87-ascii", "Framing": "len2" } ],
              "Issuers": [
                { "Id": "card-sim", "Kind": "card", "Endpoints": [ "{{cardSimulator.EndPoint}}" ], "Dialect": "iso87-ascii",
                  "Framing": "len2", "Connections": 2, "TimeoutMs": 2000, "ReconnectInitialMs": 50, "ReconnectMaxMs": 500 },
                { "Id": "wallet-sim", "Kind": "wallet", "BaseUrl": "http://{{walletSimulator.EndPoint}}", "TimeoutMs": 2000 }
              ],
              "Routes": { "File": "routes.json" },
              "Dialects": "{{DialectDirectory.Replace("\\", "/")}}",
              "Journal": { "Directory": "journal" },
              "Status": { "Listen": "127.0.0.1:0" },
              "Simulators": { "Embedded": false }
            }
            """);

        ConfigurationLoader config = ConfigurationLoader.Load(["--config", Path.Combine(directory, "switch.json"), .. overrides ?? []]);
        var dialects = DialectLoader.LoadDirectory(config.Resolve(config.Options.Dialects));
        var runtime = new SwitchRuntime(config, dialects, loggers) { InterposeJournal = interposeJournal };
        await runtime.StartAsync(CancellationToken.None);
        var running = new RunningSwitch(directory, cardSimulator, walletSimulator, runtime, logs, loggers);
        await running.WaitUntilReadyAsync();
        return running;
    }

    /// <summary>Waits until readiness reports nothing missing (every routed issuer signed on).</summary>
    public async Task WaitUntilReadyAsync(int timeoutMs = 15_000)
    {
        DateTime deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (Readiness.Missing(Runtime).Count > 0)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("switch not ready: " + string.Join("; ", Readiness.Missing(Runtime)));
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Runtime.DisposeAsync();
        await Card.DisposeAsync();
        await Wallet.DisposeAsync();
        _loggers.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PaymentSwitch.sln"))) return dir.FullName;
        throw new InvalidOperationException("PaymentSwitch.sln not found above " + AppContext.BaseDirectory);
    }
}
