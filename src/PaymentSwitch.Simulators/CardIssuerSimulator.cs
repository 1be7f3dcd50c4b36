using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PaymentSwitch.Iso8583;
using PaymentSwitch.Simulators.Internal;

namespace PaymentSwitch.Simulators;

/// <summary>
/// A card issuer speaking ISO 8583 over TCP, for tests, demos and load runs: it approves or declines by
/// <see cref="IssuerRules"/>, books what it approves in a ledger, matches reversals (DE90) to what they reverse, and
/// can be made slow or faulty at start and at run time. Embeddable (the host starts one for the out-of-the-box demo)
/// and the <c>card</c> command of the simulators' executable.
/// </summary>
/// <remarks>
/// <para>Answers: 0800 → 0810 (DE39 00 for sign-on 001, sign-off 002 and echo 301, echoing DE7, DE11, DE70); 0100/0101 →
/// 0110 and 0200/0201 → 0210 with DE39 and, when approved, DE38; 0120/0121 → 0130, booked as an advice; 0400/0401 →
/// 0410 and 0420/0421 → 0430, reversing the transaction DE90 names, once. Authorisations, advices and reversals echo
/// DE2, 3, 4, 7, 11, 12, 13, 32, 37, 41, 42, 49 (reversals also DE90, advices DE38). Any other request → DE39 12; a
/// message that does not parse → DE39 30 when its MTI is readable.</para>
/// <para>Transactions are identified by (STAN, DE7, DE32), packed into a 64-bit key for the bounded approval index.
/// A repeat of a booked approval or advice is answered as before and booked once. A reversal of an unknown
/// transaction answers 25 and leaves a tombstone, so the original, should it arrive later, is declined (05): money
/// never stays booked for a transaction the switch has reversed.</para>
/// <para>Fast path: one <see cref="IsoMessage"/> and one <see cref="IsoMessageBuilder"/> per connection, every complete
/// frame of a read handled, one flush per read, nothing allocated per message. The full card number never appears in
/// its logs or its ledger file.</para>
/// </remarks>
public sealed class CardIssuerSimulator : IAsyncDisposable, ISimulatorControl
{
    private readonly CardIssuerSimulatorOptions _options;
    private readonly ILogger _logger;
    private readonly IssuerLedger _ledger = new();
    private readonly ApprovalIndex _index;
    private readonly ConcurrentDictionary<long, (CardConnection Connection, Task Task)> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private CardIssuerContext? _context;
    private Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private WebApplication? _admin;
    private long _nextConnectionId;
    private int _disposed;

    /// <param name="options">How to listen, speak, decide and misbehave; validated here.</param>
    /// <param name="logger">Where to log (never a full card number); null logs nothing.</param>
    public CardIssuerSimulator(CardIssuerSimulatorOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _index = new ApprovalIndex(options.ApprovalIndexMaxEntries);
    }

    /// <summary>The endpoint the simulator listens on (the actual port when 0 was asked for); null before <see cref="StartAsync"/>.</summary>
    public IPEndPoint? EndPoint { get; private set; }

    /// <summary>The admin HTTP endpoint, when one was configured and started.</summary>
    public IPEndPoint? AdminEndPoint { get; private set; }

    /// <summary>The dialect spoken (loaded by <see cref="StartAsync"/>).</summary>
    public Dialect? Dialect => _context?.Dialect;

    /// <summary>The framing used (built by <see cref="StartAsync"/>).</summary>
    public Framing? Framing => _context?.Framing;

    /// <summary>What has been booked so far.</summary>
    public IssuerLedgerSnapshot Ledger => _ledger.Snapshot(_index.Count, _index.Evictions);

    /// <summary>The fault in force.</summary>
    public FaultMode Fault => _context?.Fault ?? _options.Fault;

    /// <summary>Connections open now.</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>Whether 0800 requests are answered.</summary>
    public bool AnswersNetworkManagement => _context?.Authoriser.AnswerNetworkManagement ?? _options.AnswerNetworkManagement;

    /// <summary>Loads the dialect, binds the listener (and the admin endpoint) and starts accepting; returns once listening.</summary>
    /// <exception cref="DialectException">The dialect cannot be loaded.</exception>
    /// <exception cref="SocketException">The endpoint cannot be bound (in use, not a local address).</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_context is not null) throw new InvalidOperationException("The card issuer simulator is already started.");

        Dialect dialect = _options.Dialect ?? DialectLoader.LoadByName(Internal.DialectDirectory.Resolve(_options.DialectDirectory), _options.DialectName);
        Framing framing = _options.Framing ?? Iso8583.Framing.Parse(_options.FramingName, _options.Tpdu, _options.MaxFrameBytes);
        var authoriser = new CardAuthoriser(_options.Rules, _ledger, _index, _options.AnswerNetworkManagement);
        var context = new CardIssuerContext(dialect, framing, authoriser, _ledger, _logger,
            _options.LatencyMs, _options.LatencyJitterMs, _options.MaxPendingRepliesPerConnection, _options.Fault);

        var listener = new Socket(_options.ListenEndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(_options.ListenEndPoint);
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        _listener = listener;
        EndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _context = context;

        if (_options.AdminEndPoint is IPEndPoint adminEndPoint)
        {
            try
            {
                (_admin, AdminEndPoint) = await KestrelHost.StartAsync(adminEndPoint, HandleAdminAsync, _logger, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                listener.Dispose();
                throw;
            }
        }

        _acceptLoop = Task.Run(AcceptLoopAsync, CancellationToken.None);
        Log.CardListening(_logger, EndPoint, dialect.Name, framing, _options.Rules, _options.LatencyMs, _options.LatencyJitterMs, context.Fault);
        if (AdminEndPoint is not null) Log.AdminListening(_logger, AdminEndPoint);
    }

    /// <summary>Changes the fault at run time (the next message on every connection sees it).</summary>
    public void SetFault(FaultMode fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        if (_context is null)
        {
            _options.Fault = fault;
            return;
        }
        FaultMode previous = _context.SetFault(fault);
        Log.FaultChanged(_logger, previous, fault);
    }

    /// <summary>Answer 0800 network management requests (true) or ignore them, so sign-on times out (false).</summary>
    public void SetAnswerNetworkManagement(bool answer)
    {
        if (_context is null) _options.AnswerNetworkManagement = answer;
        else _context.Authoriser.AnswerNetworkManagement = answer;
        Log.NetworkManagementSwitched(_logger, answer ? "on" : "off");
    }

    /// <summary>Zeroes the ledger and forgets every remembered transaction (approvals and tombstones).</summary>
    public void ResetLedger()
    {
        _index.Clear();
        _ledger.Reset();
        Log.LedgerReset(_logger);
    }

    /// <summary>Writes the ledger as JSON to <paramref name="path"/> (through a temporary file, flushed to disk, then renamed).</summary>
    public Task WriteLedgerFileAsync(string path, CancellationToken cancellationToken = default)
        => LedgerFile.WriteAsync(path, Ledger, _logger, cancellationToken);

    string? ISimulatorControl.LedgerFilePath => _options.LedgerFilePath;

    bool? ISimulatorControl.AnswerNetworkManagement => AnswersNetworkManagement;

    private async Task HandleAdminAsync(Microsoft.AspNetCore.Http.HttpContext http)
    {
        if (!await AdminApi.TryHandleAsync(http, this).ConfigureAwait(false)) await AdminApi.NotFound(http).ConfigureAwait(false);
    }

    private async Task AcceptLoopAsync()
    {
        Socket listener = _listener!;
        CardIssuerContext context = _context!;
        CancellationToken stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
            {
                continue;
            }
            catch (Exception ex)
            {
                Log.AcceptFailed(_logger, ex);
                return;
            }

            if (_connections.Count >= _options.MaxConnections)
            {
                Log.ConnectionLimit(_logger, socket.RemoteEndPoint, _options.MaxConnections);
                socket.Dispose();
                continue;
            }
            socket.NoDelay = true;
            long id = Interlocked.Increment(ref _nextConnectionId);
            var connection = new CardConnection(id, socket, context);
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task task = RunConnectionAsync(connection, started.Task);
            _connections[id] = (connection, task);
            started.SetResult();
        }
    }

    private async Task RunConnectionAsync(CardConnection connection, Task registered)
    {
        await registered.ConfigureAwait(false);
        try
        {
            await connection.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            _connections.TryRemove(connection.Id, out _);
        }
    }

    /// <summary>Stops listening, closes every connection (answers still waiting are not sent), stops the admin endpoint and writes the ledger file when configured.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stopping.Cancel();
        _listener?.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        foreach ((CardConnection connection, _) in _connections.Values) connection.Abort();
        Task[] running = _connections.Values.Select(c => c.Task).ToArray();
        await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _context?.StopScheduler();
        if (_admin is not null)
        {
            await _admin.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await _admin.DisposeAsync().ConfigureAwait(false);
        }
        if (_options.LedgerFilePath is string path && _context is not null)
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
        _stopping.Dispose();
        if (_context is not null) Log.Stopped(_logger, "Card");
    }
}
