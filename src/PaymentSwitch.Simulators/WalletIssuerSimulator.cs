using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PaymentSwitch.Simulators.Internal;

namespace PaymentSwitch.Simulators;

/// <summary>
/// A wallet issuer speaking the JSON-over-HTTP contract of <c>WALLET-API.md</c> (v1): <c>POST /v1/authorisations</c>,
/// <c>POST /v1/reversals</c>, <c>GET /v1/ledger</c>, with the same <see cref="IssuerRules"/>, latency and fault modes
/// as the card issuer (plus <c>error</c> = HTTP 503), idempotency by key, and the admin endpoints (<c>POST /fault</c>,
/// <c>POST /reset</c>, <c>POST /ledger/save</c>) on the same port. Embeddable (Kestrel) and the <c>wallet</c> command of
/// the simulators' executable. The account number is never logged or written.
/// </summary>
public sealed class WalletIssuerSimulator : IAsyncDisposable, ISimulatorControl
{
    private readonly WalletIssuerSimulatorOptions _options;
    private readonly ILogger _logger;
    private readonly IssuerLedger _ledger = new();
    private readonly WalletBook _book;
    private readonly CancellationTokenSource _stopping = new();
    private readonly WalletApi _api;
    private WebApplication? _app;
    private int _disposed;

    /// <param name="options">How to listen, decide and misbehave; validated here.</param>
    /// <param name="logger">Where to log (never an account number); null logs nothing.</param>
    public WalletIssuerSimulator(WalletIssuerSimulatorOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _book = new WalletBook(options.IdempotencyMaxEntries, _ledger);
        _api = new WalletApi(options.Rules, _book, _ledger, _logger, options.LatencyMs, options.LatencyJitterMs, options.Fault, _stopping.Token);
    }

    /// <summary>The endpoint the simulator listens on (the actual port when 0 was asked for); null before <see cref="StartAsync"/>.</summary>
    public IPEndPoint? EndPoint { get; private set; }

    /// <summary>The base address of the API, e.g. <c>http://127.0.0.1:7002/</c>; null before <see cref="StartAsync"/>.</summary>
    public Uri? BaseAddress => EndPoint is null ? null : new Uri($"http://{EndPoint}/");

    /// <summary>What has been booked so far.</summary>
    public IssuerLedgerSnapshot Ledger => _ledger.Snapshot(_book.Count, _book.Evictions);

    /// <summary>The fault in force.</summary>
    public FaultMode Fault => _api.Fault;

    /// <summary>Starts Kestrel on the configured endpoint; returns once listening.</summary>
    /// <exception cref="IOException">The endpoint cannot be bound (in use, not a local address).</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_app is not null) throw new InvalidOperationException("The wallet issuer simulator is already started.");
        (_app, EndPoint) = await KestrelHost.StartAsync(_options.ListenEndPoint, HandleAsync, _logger, cancellationToken).ConfigureAwait(false);
        Log.WalletListening(_logger, EndPoint, _options.Rules, _options.LatencyMs, _options.LatencyJitterMs, Fault);
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (await _api.TryHandleAsync(context).ConfigureAwait(false)) return;
        if (await AdminApi.TryHandleAsync(context, this).ConfigureAwait(false)) return;
        await AdminApi.NotFound(context).ConfigureAwait(false);
    }

    /// <summary>Changes the fault at run time (requests already waiting keep the fault they started with).</summary>
    public void SetFault(FaultMode fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        FaultMode previous = _api.SetFault(fault);
        Log.FaultChanged(_logger, previous, fault);
    }

    /// <summary>Zeroes the ledger and forgets every idempotency key and tombstone.</summary>
    public void ResetLedger()
    {
        _book.Clear();
        _ledger.Reset();
        Log.LedgerReset(_logger);
    }

    /// <summary>Writes the ledger as JSON to <paramref name="path"/> (through a temporary file, flushed to disk, then renamed).</summary>
    public Task WriteLedgerFileAsync(string path, CancellationToken cancellationToken = default)
        => LedgerFile.WriteAsync(path, Ledger, _logger, cancellationToken);

    string? ISimulatorControl.LedgerFilePath => _options.LedgerFilePath;

    bool? ISimulatorControl.AnswerNetworkManagement => null;

    void ISimulatorControl.SetAnswerNetworkManagement(bool answer) => throw new NotSupportedException("The wallet issuer has no network management.");

    /// <summary>Stops: requests held by <c>silent</c> or latency are abandoned, Kestrel stops, the ledger file is written when configured.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stopping.Cancel();
        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _app.StopAsync(timeout.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await _app.DisposeAsync().ConfigureAwait(false);
            if (_options.LedgerFilePath is string path)
            {
                try
                {
                    await WriteLedgerFileAsync(path).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Logged by LedgerFile.
                }
            }
            Log.Stopped(_logger, "Wallet");
        }
    }
}
