using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace PaymentSwitch.Simulators.Internal;

/// <summary>
/// The wallet issuer's HTTP API (<c>POST /v1/authorisations</c>, <c>POST /v1/reversals</c>; see WALLET-API.md):
/// reads and checks the body, decides, books once per idempotency key, then answers — or fails to, as the fault says.
/// </summary>
internal sealed class WalletApi
{
    private readonly IssuerRules _rules;
    private readonly WalletBook _book;
    private readonly IssuerLedger _ledger;
    private readonly ILogger _logger;
    private readonly int _latencyMs;
    private readonly int _jitterMs;
    private readonly CancellationToken _stopping;
    private FaultMode _fault;
    private long _dropCounter;

    public WalletApi(IssuerRules rules, WalletBook book, IssuerLedger ledger, ILogger logger, int latencyMs, int jitterMs, FaultMode fault, CancellationToken stopping)
    {
        _rules = rules;
        _book = book;
        _ledger = ledger;
        _logger = logger;
        _latencyMs = latencyMs;
        _jitterMs = jitterMs;
        _fault = fault;
        _stopping = stopping;
    }

    public FaultMode Fault => Volatile.Read(ref _fault);

    public FaultMode SetFault(FaultMode fault)
    {
        Interlocked.Exchange(ref _dropCounter, 0);
        return Interlocked.Exchange(ref _fault, fault);
    }

    /// <summary>Serves the request when it is one of the API's; false otherwise.</summary>
    public async Task<bool> TryHandleAsync(HttpContext context)
    {
        string path = context.Request.Path.Value ?? "";
        bool authorisation = path == "/v1/authorisations";
        if (!authorisation && path != "/v1/reversals") return false;
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            await AdminApi.MethodNotAllowed(context, "POST").ConfigureAwait(false);
            return true;
        }

        FaultMode fault = Fault;
        if (fault.Kind == FaultKind.Error)
        {
            _ledger.FaultedAnswer();
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsJsonAsync(new ErrorBody("issuer unavailable (fault mode error)"), SimulatorJson.Default.ErrorBody).ConfigureAwait(false);
            return true;
        }

        Outcome outcome = authorisation ? await AuthoriseAsync(context).ConfigureAwait(false) : await ReverseAsync(context).ConfigureAwait(false);
        await AnswerAsync(context, outcome, fault).ConfigureAwait(false);
        return true;
    }

    /// <summary>What to send: a status code and a body already serialised.</summary>
    private readonly record struct Outcome(int StatusCode, byte[] Body);

    private async Task<Outcome> AuthoriseAsync(HttpContext context)
    {
        (WalletAuthorisationRequest? request, string? error) = await ReadAsync(context, SimulatorJson.Default.WalletAuthorisationRequest).ConfigureAwait(false);
        error ??= Validate(request!, context.Request.Headers["Idempotency-Key"]);
        if (error is not null) return BadRequest(context, error);

        string key = request!.IdempotencyKey!;
        long amountMinor = request.AmountMinor!.Value;
        bool advice = request.MessageType == "advice";
        WalletAuthorisationResponse response = _book.Authorise(key, amountMinor, advice, () => Decide(request, advice));
        if (_logger.IsEnabled(LogLevel.Trace)) Log.WalletHandled(_logger, request.MessageType!, key, response.Status, response.ResponseCode);
        return new Outcome(StatusCodes.Status200OK, JsonSerializer.SerializeToUtf8Bytes(response, SimulatorJson.Default.WalletAuthorisationResponse));
    }

    private WalletAuthorisationResponse Decide(WalletAuthorisationRequest request, bool advice)
    {
        if (advice) return new WalletAuthorisationResponse("approved", "00", request.ApprovalCode, "stand-in advice booked");
        Span<byte> account = stackalloc byte[19];
        int accountLength = Ascii(request.Account!, account);
        Span<byte> expiry = stackalloc byte[4];
        int expiryLength = request.Expiry is null ? 0 : Ascii(request.Expiry, expiry);
        IssuerDecision decision = _rules.Decide(request.AmountMinor!.Value, accountLength < 0 ? default : account[..accountLength], expiry[..expiryLength]);
        return decision == IssuerDecision.Approved
            ? new WalletAuthorisationResponse("approved", "00", ApprovalCode.Create(WalletBook.Hash(request.IdempotencyKey!)), "approved")
            : new WalletAuthorisationResponse("declined", IssuerRules.ResponseCodeOf(decision), null, IssuerRules.ReasonOf(decision));
    }

    /// <summary>Copies an ASCII string into <paramref name="destination"/>; -1 when it is longer or not ASCII (an invalid card number).</summary>
    private static int Ascii(string text, Span<byte> destination)
    {
        if (text.Length > destination.Length) return -1;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] > 0x7F) return -1;
            destination[i] = (byte)text[i];
        }
        return text.Length;
    }

    private async Task<Outcome> ReverseAsync(HttpContext context)
    {
        (WalletReversalRequest? request, string? error) = await ReadAsync(context, SimulatorJson.Default.WalletReversalRequest).ConfigureAwait(false);
        error ??= Validate(request!, context.Request.Headers["Idempotency-Key"]);
        if (error is not null) return BadRequest(context, error);

        WalletReversalResponse response = _book.Reverse(request!.IdempotencyKey!, request.OriginalIdempotencyKey!);
        if (_logger.IsEnabled(LogLevel.Trace)) Log.WalletHandled(_logger, "reversal", request.IdempotencyKey!, response.Status, response.ResponseCode);
        return new Outcome(StatusCodes.Status200OK, JsonSerializer.SerializeToUtf8Bytes(response, SimulatorJson.Default.WalletReversalResponse));
    }

    private Outcome BadRequest(HttpContext context, string error)
    {
        _ledger.InvalidRequest();
        Log.WalletBadRequest(_logger, context.Request.Method, context.Request.Path.Value ?? "", error);
        return new Outcome(StatusCodes.Status400BadRequest, JsonSerializer.SerializeToUtf8Bytes(new ErrorBody(error), SimulatorJson.Default.ErrorBody));
    }

    private static async Task<(T? Value, string? Error)> ReadAsync<T>(HttpContext context, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        try
        {
            T? value = await JsonSerializer.DeserializeAsync(context.Request.Body, type, context.RequestAborted).ConfigureAwait(false);
            return value is null ? (null, "the body must be a JSON object") : (value, null);
        }
        catch (JsonException ex)
        {
            // Never echo the parser's message: it can quote part of the body (the account).
            return (null, $"the body is not valid JSON for this request (malformed JSON, unknown or repeated property, or wrong type) at {ex.Path ?? "$"}, line {ex.LineNumber ?? 0}, byte {ex.BytePositionInLine ?? 0}");
        }
        catch (BadHttpRequestException ex)
        {
            return (null, $"the body could not be read: {ex.Message}");
        }
    }

    private static string? Validate(WalletAuthorisationRequest r, string? headerKey)
    {
        if (string.IsNullOrEmpty(r.IdempotencyKey)) return Missing("idempotencyKey");
        if (r.IdempotencyKey.Length > 128) return "'idempotencyKey' is longer than 128 characters";
        if (headerKey is not null && headerKey != r.IdempotencyKey) return "the Idempotency-Key header differs from the body's idempotencyKey";
        if (r.MessageType is null) return Missing("messageType");
        if (r.MessageType is not ("authorisation" or "financial" or "advice")) return "'messageType' must be \"authorisation\", \"financial\" or \"advice\"";
        if (string.IsNullOrEmpty(r.Account)) return Missing("account");
        if (r.Expiry is not null && !IsDigits(r.Expiry, 4, 4)) return "'expiry' must be YYMM (4 digits)";
        if (r.AmountMinor is null) return Missing("amountMinor");
        if (r.AmountMinor < 0) return "'amountMinor' must not be negative";
        if (r.Currency is null) return Missing("currency");
        if (!IsDigits(r.Currency, 3, 3)) return "'currency' must be an ISO 4217 numeric code (3 digits)";
        if (r.ProcessingCode is null) return Missing("processingCode");
        if (!IsDigits(r.ProcessingCode, 6, 6)) return "'processingCode' must be 6 digits";
        if (r.MerchantCategory is not null && !IsDigits(r.MerchantCategory, 4, 4)) return "'merchantCategory' must be 4 digits";
        if (string.IsNullOrEmpty(r.TerminalId)) return Missing("terminalId");
        if (r.AcquirerId is null) return Missing("acquirerId");
        if (!IsDigits(r.AcquirerId, 1, 11)) return "'acquirerId' must be 1 to 11 digits";
        if (string.IsNullOrEmpty(r.Rrn)) return Missing("rrn");
        if (r.Stan is null) return Missing("stan");
        if (!IsDigits(r.Stan, 6, 6)) return "'stan' must be 6 digits";
        if (r.TransmissionDateTime is null) return Missing("transmissionDateTime");
        if (!IsDigits(r.TransmissionDateTime, 10, 10)) return "'transmissionDateTime' must be MMDDhhmmss (10 digits)";
        if (r.MessageType == "advice")
        {
            if (string.IsNullOrEmpty(r.ApprovalCode)) return "an advice needs the stand-in 'approvalCode'";
            if (r.ApprovalCode.Length > 6) return "'approvalCode' must be at most 6 characters";
        }
        return null;
    }

    private static string? Validate(WalletReversalRequest r, string? headerKey)
    {
        if (string.IsNullOrEmpty(r.IdempotencyKey)) return Missing("idempotencyKey");
        if (r.IdempotencyKey.Length > 128) return "'idempotencyKey' is longer than 128 characters";
        if (headerKey is not null && headerKey != r.IdempotencyKey) return "the Idempotency-Key header differs from the body's idempotencyKey";
        if (string.IsNullOrEmpty(r.OriginalIdempotencyKey)) return Missing("originalIdempotencyKey");
        if (r.AmountMinor is null) return Missing("amountMinor");
        if (r.AmountMinor < 0) return "'amountMinor' must not be negative";
        if (r.Currency is null) return Missing("currency");
        if (!IsDigits(r.Currency, 3, 3)) return "'currency' must be an ISO 4217 numeric code (3 digits)";
        if (r.Reason is not null && r.Reason is not ("timeout" or "acquirer" or "late-approval")) return "'reason' must be \"timeout\", \"acquirer\" or \"late-approval\"";
        return null;
    }

    private static string Missing(string property) => $"'{property}' is required";

    private static bool IsDigits(string text, int min, int max)
        => text.Length >= min && text.Length <= max && !text.AsSpan().ContainsAnyExceptInRange('0', '9');

    /// <summary>
    /// Waits at least <paramref name="delayMs"/> by the <see cref="Stopwatch"/>: a timer due on a millisecond clock can
    /// fire up to a millisecond early, and a simulated latency must never answer before its time.
    /// </summary>
    private static async Task HoldAtLeastAsync(int delayMs, CancellationToken cancel)
    {
        long due = Stopwatch.GetTimestamp() + (delayMs * Stopwatch.Frequency / 1000);
        await Task.Delay(delayMs, cancel).ConfigureAwait(false);
        while (Stopwatch.GetTimestamp() < due) await Task.Delay(1, cancel).ConfigureAwait(false);
    }

    private async Task AnswerAsync(HttpContext context, Outcome outcome, FaultMode fault)
    {
        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping);
        CancellationToken cancel = linked.Token;
        try
        {
            switch (fault.Kind)
            {
                case FaultKind.Silent:
                    _ledger.FaultedAnswer();
                    await Task.Delay(Timeout.Infinite, cancel).ConfigureAwait(false);
                    return;
                case FaultKind.Drop when Interlocked.Increment(ref _dropCounter) % fault.EveryNth == 0:
                    _ledger.FaultedAnswer();
                    context.Abort();
                    return;
                case FaultKind.Garbage:
                    _ledger.FaultedAnswer();
                    outcome = new Outcome(StatusCodes.Status200OK, Garbage());
                    break;
                case FaultKind.Late:
                    await HoldAtLeastAsync(fault.DelayMs, cancel).ConfigureAwait(false);
                    break;
                default:
                    int delayMs = _latencyMs + (_jitterMs > 0 ? Random.Shared.Next(_jitterMs + 1) : 0);
                    if (delayMs > 0) await HoldAtLeastAsync(delayMs, cancel).ConfigureAwait(false);
                    break;
            }
            context.Response.StatusCode = outcome.StatusCode;
            context.Response.ContentType = "application/json; charset=utf-8";
            context.Response.ContentLength = outcome.Body.Length;
            await context.Response.Body.WriteAsync(outcome.Body, cancel).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // The client gave up or the simulator is stopping: no answer.
            context.Abort();
        }
    }

    /// <summary>A body that is not JSON (starts with '&lt;', then random printable noise).</summary>
    private static byte[] Garbage()
    {
        byte[] body = new byte[24 + Random.Shared.Next(40)];
        for (int i = 0; i < body.Length; i++) body[i] = (byte)Random.Shared.Next(0x21, 0x7F);
        Encoding.ASCII.GetBytes("<garbage ").CopyTo(body, 0);
        return body;
    }
}
