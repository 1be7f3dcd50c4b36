using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using PaymentSwitch.Integration.Tests.Support;
using PaymentSwitch.Simulators;
using PaymentSwitch.Simulators.Internal;
using static PaymentSwitch.Integration.Tests.Support.Requests;

namespace PaymentSwitch.Integration.Tests;

/// <summary>
/// Money-safety rule 3 for the wallet link: when a wallet call fails after the request may have reached the wallet
/// (connection dropped after sending, unreadable or oversized 200 body, 5xx), the outcome is unknown, so the acquirer
/// gets 91 and the request is reversed. When the request certainly never left (connection refused), or the wallet
/// refused it as malformed (4xx), nothing was booked and no reversal is owed.
/// </summary>
public class WalletUnknownOutcomeTests
{
    [Theory]
    [InlineData("drop")]    // books, then closes the connection instead of answering
    [InlineData("garbage")] // books, then answers 200 with a body that is not JSON
    [InlineData("error")]   // HTTP 503 (the simulator books nothing; the reversal is answered not_found)
    public async Task Wallet_call_failing_after_sending_answers_91_and_the_owed_reversal_is_sent_and_answered(string fault)
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync();
        var engine = sw.Runtime.Engine!;
        Assert.True(FaultMode.TryParse(fault, out FaultMode? mode, out _));
        sw.Wallet.SetFault(mode);
        await using TestTerminal terminal = await sw.ConnectAsync();
        Authorisation(terminal.Builder, WalletPan, 4200, stan: 1);
        await terminal.SendAsync();

        Assert.Equal("91", Text((await terminal.ReceiveAsync())!, 39));
        // The reversal is owed before the acquirer is answered; the fault still in force fails its attempts.
        Assert.Equal(1, engine.Reversals.Count);
        Assert.Equal(fault == "error" ? 0 : 4200, sw.Wallet.Ledger.NetApprovedAmountMinor);

        sw.Wallet.SetFault(FaultMode.None);
        await Eventually.TrueAsync(() => engine.Reversals.Count == 0, "owed reversal answered by the wallet");
        IssuerLedgerSnapshot ledger = sw.Wallet.Ledger;
        Assert.Equal(1, engine.Reversals.CompletedTotal);
        Assert.Equal(fault == "error" ? 0 : 1, ledger.ApprovedCount);
        Assert.Equal(fault == "error" ? 0 : 1, ledger.ReversedCount);
        Assert.Equal(fault == "error" ? 1 : 0, ledger.UnknownReversalCount);
        Assert.Equal(0, ledger.NetApprovedAmountMinor);
    }

    [Fact]
    public async Task Wallet_answer_over_the_size_bound_answers_91_and_is_reversed()
    {
        await using var wallet = await StubWallet.StartAsync(authorisationStatus: 200, authorisationBodyBytes: 1024 * 1024);
        await using RunningSwitch sw = await RunningSwitch.StartAsync(overrides: [$"--Issuers:1:BaseUrl=http://{wallet.EndPoint}"]);
        await using TestTerminal terminal = await sw.ConnectAsync();
        Authorisation(terminal.Builder, WalletPan, 4200, stan: 1);
        await terminal.SendAsync();

        // The 1 MiB body is a well-formed approval: only the bound on the answer size keeps it from being taken as 00.
        Assert.Equal("91", Text((await terminal.ReceiveAsync())!, 39));
        await Eventually.TrueAsync(() => sw.Runtime.Engine!.Reversals.Count == 0 && sw.Runtime.Engine.Reversals.CompletedTotal == 1,
            "owed reversal answered by the wallet");
        Assert.Single(wallet.AuthorisationKeys);
        string reversed = Assert.Single(wallet.ReversedKeys.Distinct());
        Assert.Equal(wallet.AuthorisationKeys.Single(), reversed);
    }

    [Fact]
    public async Task Wallet_reversal_answer_over_the_size_bound_is_retried()
    {
        await using var wallet = await StubWallet.StartAsync(authorisationStatus: 200, authorisationBodyBytes: 1024 * 1024, oversizedReversalAnswers: 1);
        await using RunningSwitch sw = await RunningSwitch.StartAsync(overrides: [$"--Issuers:1:BaseUrl=http://{wallet.EndPoint}", "--Issuers:1:TimeoutMs=500"]);
        await using TestTerminal terminal = await sw.ConnectAsync();
        Authorisation(terminal.Builder, WalletPan, 4200, stan: 1);
        await terminal.SendAsync();

        Assert.Equal("91", Text((await terminal.ReceiveAsync())!, 39));
        await Eventually.TrueAsync(() => sw.Runtime.Engine!.Reversals.Count == 0 && sw.Runtime.Engine.Reversals.CompletedTotal == 1,
            "owed reversal answered by the wallet");
        // The first reversal answer (1 MiB) is no answer: the reversal went again and the second answer completed it.
        Assert.Equal(2, wallet.ReversedKeys.Count);
        Assert.Equal(wallet.AuthorisationKeys.Single(), wallet.ReversedKeys.Distinct().Single());
    }

    [Fact]
    public async Task Wallet_refusing_the_request_as_malformed_answers_30_and_owes_no_reversal()
    {
        await using var wallet = await StubWallet.StartAsync(authorisationStatus: 400, authorisationBodyBytes: 0);
        await using RunningSwitch sw = await RunningSwitch.StartAsync(overrides: [$"--Issuers:1:BaseUrl=http://{wallet.EndPoint}"]);
        await using TestTerminal terminal = await sw.ConnectAsync();
        Authorisation(terminal.Builder, WalletPan, 4200, stan: 1);
        await terminal.SendAsync();

        Assert.Equal("30", Text((await terminal.ReceiveAsync())!, 39));
        await Task.Delay(1000);
        Assert.Equal(0, sw.Runtime.Engine!.Reversals.Count);
        Assert.Equal(0, sw.Runtime.Engine.Reversals.AttemptsTotal);
        Assert.Empty(wallet.ReversedKeys);
    }

    [Fact]
    public async Task Wallet_connection_refused_answers_91_and_owes_no_reversal()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync();
        await sw.Wallet.DisposeAsync(); // nothing listens on the wallet's port any more; the link has not noticed yet
        await using TestTerminal terminal = await sw.ConnectAsync();
        Authorisation(terminal.Builder, WalletPan, 4200, stan: 1);
        await terminal.SendAsync();

        Assert.Equal("91", Text((await terminal.ReceiveAsync())!, 39));
        Assert.Contains("Wallet issuer 'wallet-sim' call failed", sw.Logs.All); // the call was made (not answered for an unavailable link)
        await Task.Delay(1000);
        Assert.Equal(0, sw.Runtime.Engine!.Reversals.Count);
        Assert.Equal(0, sw.Runtime.Engine.Reversals.AttemptsTotal);
        Assert.Equal(0, sw.Wallet.Ledger.ApprovedCount);
    }

    /// <summary>
    /// A real HTTP wallet (Kestrel on loopback) that answers authorisations with a fixed status and body size (a
    /// well-formed approval padded to the size), and reversals with 00, the first <c>oversizedReversalAnswers</c> of
    /// them padded to 1 MiB. It records the idempotency keys it saw.
    /// </summary>
    private sealed class StubWallet : IAsyncDisposable
    {
        private readonly int _authorisationStatus;
        private readonly int _authorisationBodyBytes;
        private int _oversizedReversalAnswers;
        private WebApplication? _app;

        private StubWallet(int authorisationStatus, int authorisationBodyBytes, int oversizedReversalAnswers)
        {
            _authorisationStatus = authorisationStatus;
            _authorisationBodyBytes = authorisationBodyBytes;
            _oversizedReversalAnswers = oversizedReversalAnswers;
        }

        public IPEndPoint EndPoint { get; private set; } = null!;
        public ConcurrentQueue<string> AuthorisationKeys { get; } = new();
        public ConcurrentQueue<string> ReversedKeys { get; } = new();

        public static async Task<StubWallet> StartAsync(int authorisationStatus, int authorisationBodyBytes, int oversizedReversalAnswers = 0)
        {
            var wallet = new StubWallet(authorisationStatus, authorisationBodyBytes, oversizedReversalAnswers);
            (wallet._app, wallet.EndPoint) = await KestrelHost.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), wallet.HandleAsync, NullLogger.Instance, CancellationToken.None);
            return wallet;
        }

        private async Task HandleAsync(HttpContext context)
        {
            using JsonDocument request = await JsonDocument.ParseAsync(context.Request.Body);
            if (context.Request.Path == "/v1/authorisations")
            {
                AuthorisationKeys.Enqueue(request.RootElement.GetProperty("idempotencyKey").GetString()!);
                context.Response.StatusCode = _authorisationStatus;
                if (_authorisationBodyBytes > 0) await WriteAnswerAsync(context, """{"responseCode":"00","approvalCode":"123456","pad":""", _authorisationBodyBytes);
            }
            else if (context.Request.Path == "/v1/reversals")
            {
                ReversedKeys.Enqueue(request.RootElement.GetProperty("originalIdempotencyKey").GetString()!);
                bool oversized = Interlocked.Decrement(ref _oversizedReversalAnswers) >= 0;
                await WriteAnswerAsync(context, """{"status":"reversed","responseCode":"00","pad":""", oversized ? 1024 * 1024 : 0);
            }
            else
            {
                context.Response.StatusCode = 404;
            }
        }

        /// <summary>A JSON object starting with <paramref name="prefix"/>, its "pad" string long enough to make the body <paramref name="sizeBytes"/>.</summary>
        private static Task WriteAnswerAsync(HttpContext context, string prefix, int sizeBytes)
        {
            const string Suffix = "\"}";
            int padding = Math.Max(0, sizeBytes - prefix.Length - 1 - Suffix.Length);
            byte[] body = Encoding.ASCII.GetBytes(prefix + "\"" + new string('x', padding) + Suffix);
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = body.Length;
            return context.Response.Body.WriteAsync(body).AsTask();
        }

        public async ValueTask DisposeAsync()
        {
            if (_app is null) return;
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
