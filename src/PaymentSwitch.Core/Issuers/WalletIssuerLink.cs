using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Core.Configuration;
using PaymentSwitch.Core.Logging;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Core.Issuers;

/// <summary>
/// A wallet issuer reached over its JSON/HTTP API (contract in the README) through pooled keep-alive connections.
/// Requests are registered in the pending table like card requests, so the same timeout scan answers 91 on time
/// whatever the HTTP call does; an answer after that is late.
/// </summary>
/// <remarks>
/// A failed call is sorted by whether the request may have reached the wallet. If the connection to it was never
/// established (refused, name not resolved, TLS handshake failed), nothing was sent: the acquirer gets 91 and nothing is
/// owed. A 4xx means the wallet refused the request as malformed and booked nothing: 30. Anything else that is not a
/// readable 200 answer (connection lost or reset after sending, a response timeout, a 5xx, an unparseable, oversized or
/// invalid 200 body) leaves the outcome unknown: the wallet may have approved and booked it, so the acquirer gets 91
/// and the request is reversed (money-safety rule 3; reversals are idempotent by key, and reversing what was never
/// booked is answered not_found).
/// </remarks>
public sealed class WalletIssuerLink : IssuerLink
{
    /// <summary>
    /// Largest answer body the link reads (a wallet answer is a few hundred bytes). A larger one is not read past this
    /// bound (no buffering of up to 2 GiB per call): for an authorisation it is an unknown outcome, for a reversal a
    /// failed attempt that is retried.
    /// </summary>
    public const int MaxAnswerSizeBytes = 64 * 1024;

    private readonly HttpClient _http;
    private readonly Uri _authorisations;
    private readonly Uri _reversals;
    private readonly Uri _baseAddress;
    private readonly ILogger _log;
    private int _available = 1;
    private long _lastProbe;
    private int _probing;
    private string? _lastError;

    public WalletIssuerLink(IssuerOptions options, ILogger logger) : base(options)
    {
        _log = logger;
        _baseAddress = new Uri(options.BaseUrl!.TrimEnd('/') + "/");
        _authorisations = new Uri(_baseAddress, "v1/authorisations");
        _reversals = new Uri(_baseAddress, "v1/reversals");
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.MaxHttpConnections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromMilliseconds(Math.Max(100, options.TimeoutMs)),
            UseProxy = false,
            AllowAutoRedirect = false,
        };
        _http = new HttpClient(handler)
        {
            Timeout = TimeSpan.FromMilliseconds(options.TimeoutMs + 1000),
            MaxResponseContentBufferSize = MaxAnswerSizeBytes,
        };
    }

    public override string Kind => "wallet";

    public override bool HasReadyConnection => Volatile.Read(ref _available) != 0;

    public override IReadOnlyList<IssuerConnectionStatus> GetConnections()
        => [new IssuerConnectionStatus(_baseAddress.ToString(), HasReadyConnection ? IssuerLinkState.Ready : IssuerLinkState.Disconnected, _lastError)];

    public override void Start() => _ = ProbeAsync();

    internal override bool TrySend(Transaction transaction)
    {
        _ = transaction.Kind == TransactionKind.Reversal
            ? CallReversalAsync(transaction, transaction.PendingSequence)
            : CallAsync(transaction, transaction.PendingSequence);
        return true;
    }

    /// <summary>
    /// POST /v1/reversals for an owed reversal; any well-formed answer completes it (not_found answers 25). Anything
    /// else (no answer, non-200, an oversized body, a body without a valid responseCode) is a failed attempt: the
    /// transaction stays pending and the timeout scan schedules the next attempt.
    /// </summary>
    private async Task CallReversalAsync(Transaction transaction, long sequence)
    {
        Durability.ForwardedRecord original = transaction.Reversal!.Original;
        ResponseCode code;
        try
        {
            bool advice = transaction.Reversal.IsAdvice;
            byte[] body = advice ? BuildAdviceBody(transaction.Reversal, out string key) : BuildReversalBody(transaction.Reversal, out key);
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, advice ? _authorisations : _reversals) { Content = content };
            request.Headers.Add("Idempotency-Key", key);
            using HttpResponseMessage response = await _http.SendAsync(request).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                SwitchLog.WalletCallFailed(_log, Id, $"reversal: HTTP {(int)response.StatusCode}");
                return; // no answer: the timeout scan schedules the next attempt
            }
            if (!TryParseAnswer(await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false), out code, out _))
            {
                SwitchLog.WalletCallFailed(_log, Id, "reversal: HTTP 200 without a valid responseCode");
                return; // no answer: the timeout scan schedules the next attempt
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException or InvalidOperationException)
        {
            SwitchLog.WalletCallFailed(_log, Id, "reversal: " + ex.Message);
            return; // the timeout scan schedules the next attempt
        }
        if (Pending.TryTake(transaction, sequence)) Engine!.OnIssuerAnswer(transaction, code, default);
    }

    private async Task CallAsync(Transaction transaction, long sequence)
    {
        ResponseCode code = ResponseCode.IssuerUnavailable;
        string? approval = null;
        bool answerLost = false; // the request may have reached the wallet, and no usable answer came back
        try
        {
            using var content = new ByteArrayContent(BuildRequestBody(transaction, out string key));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, _authorisations) { Content = content };
            request.Headers.Add("Idempotency-Key", key);
            using HttpResponseMessage response = await _http.SendAsync(request).ConfigureAwait(false);
            Volatile.Write(ref _available, 1);
            int status = (int)response.StatusCode;
            if (status == 200)
            {
                byte[] body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                if (!TryParseAnswer(body, out code, out approval))
                {
                    answerLost = true;
                    SwitchLog.WalletCallFailed(_log, Id, "HTTP 200 without a valid responseCode; outcome unknown, the request is reversed");
                }
            }
            else if (status is >= 400 and < 500)
            {
                // Refused as malformed: nothing was booked (30, format error).
                code = ResponseCode.FormatError;
                SwitchLog.WalletCallFailed(_log, Id, $"HTTP {status}");
            }
            else
            {
                // 5xx (or a status outside the contract): the wallet may have booked it before failing.
                answerLost = true;
                SwitchLog.WalletCallFailed(_log, Id, $"HTTP {status}; outcome unknown, the request is reversed");
            }
        }
        catch (HttpRequestException ex) when (NeverSent(ex))
        {
            _lastError = ex.Message;
            Volatile.Write(ref _available, 0);
            SwitchLog.WalletCallFailed(_log, Id, ex.Message);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException or InvalidOperationException)
        {
            // Lost or reset after sending, no answer in time, an answer over MaxAnswerSizeBytes: outcome unknown.
            answerLost = true;
            _lastError = ex.Message;
            SwitchLog.WalletCallFailed(_log, Id, ex.Message + "; outcome unknown, the request is reversed");
        }

        if (!Pending.TryTake(transaction, sequence)) return; // already answered by the timeout scan (which owes the reversal)
        if (answerLost)
        {
            Engine!.OnIssuerAnswerLost(transaction);
            return;
        }
        Span<byte> approvalBytes = stackalloc byte[6];
        int length = 0;
        if (approval is { Length: > 0 and <= 6 } && approval.All(char.IsAsciiLetterOrDigit))
            length = System.Text.Encoding.ASCII.GetBytes(approval, approvalBytes);
        Engine!.OnIssuerAnswer(transaction, code, approvalBytes[..length]);
    }

    /// <summary>
    /// True when the call failed before the request could leave the switch: no connection to the wallet was
    /// established (a refused connect on loopback is ConnectionError with an inner SocketException ConnectionRefused;
    /// a connect timeout is not among these and counts as unknown).
    /// </summary>
    private static bool NeverSent(HttpRequestException ex)
        => ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError;

    /// <summary>Reads a 200 answer body; false when it is not a JSON object with a valid two-character responseCode.</summary>
    private static bool TryParseAnswer(byte[] body, out ResponseCode code, out string? approval)
    {
        code = default;
        approval = null;
        try
        {
            using JsonDocument doc = JsonDocument.Parse(body);
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return false;
            string? rc = root.TryGetProperty("responseCode", out JsonElement r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            if (rc is null || !ResponseCode.TryRead(System.Text.Encoding.ASCII.GetBytes(rc), out code)) return false;
            approval = root.TryGetProperty("approvalCode", out JsonElement a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static byte[] BuildReversalBody(Reversals.PendingReversal reversal, out string key)
    {
        Durability.ForwardedRecord original = reversal.Original;
        // Reversing a stand-in approval reverses its advice, booked under the advice's own key.
        string originalKey = reversal.ReversesAdvice ? "advice-" + original.IdempotencyKey : original.IdempotencyKey;
        key = "reversal-" + originalKey;
        using var stream = new MemoryStream(256);
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("idempotencyKey", key);
            json.WriteString("originalIdempotencyKey", originalKey);
            json.WriteNumber("amountMinor", original.Amount);
            json.WriteString("currency", original.Currency);
            json.WriteString("reason", reversal.Reason switch
            {
                Reversals.ReversalReason.Acquirer => "acquirer",
                Reversals.ReversalReason.UndeliveredApproval => "late-approval",
                _ => "timeout",
            });
            json.WriteEndObject();
        }
        return stream.ToArray();
    }

    /// <summary>The advice of a stand-in approval: an authorisation body with messageType advice, under its own key.</summary>
    private byte[] BuildAdviceBody(Reversals.PendingReversal advice, out string key)
    {
        Durability.ForwardedRecord o = advice.Original;
        key = "advice-" + o.IdempotencyKey;
        Span<byte> pan = stackalloc byte[Durability.PanProtector.MaxPanDigits];
        Engine!.TryDecryptPan(o, pan, out int panLength);
        using var stream = new MemoryStream(512);
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("idempotencyKey", key);
            json.WriteString("messageType", "advice");
            json.WriteString("account", System.Text.Encoding.ASCII.GetString(pan[..panLength]));
            json.WriteNumber("amountMinor", o.Amount);
            json.WriteString("currency", o.Currency);
            json.WriteString("processingCode", o.ProcessingCode);
            if (o.MerchantId.Length > 0) json.WriteString("merchantId", o.MerchantId);
            json.WriteString("terminalId", o.TerminalId);
            json.WriteString("acquirerId", o.AcquirerId);
            json.WriteString("rrn", o.AcquirerRrn);
            json.WriteString("stan", o.AcquirerStan.ToString("D6", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("transmissionDateTime", o.TransmissionTime.ToString("D10", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("approvalCode", advice.StandInApprovalCode);
            json.WriteEndObject();
        }
        return stream.ToArray();
    }

    /// <summary>The authorisation request body (wallet contract v1) for the acquirer's message.</summary>
    internal static byte[] BuildRequestBody(Transaction transaction, out string idempotencyKey)
    {
        IsoMessage m = transaction.Request;
        string Field(int f) => m.TryGetString(f, out string? v) ? v.Trim() : "";
        idempotencyKey = $"{Field(32)}-{Field(41)}-{Field(11)}-{Field(7)}";
        using var stream = new MemoryStream(512);
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("idempotencyKey", idempotencyKey);
            json.WriteString("messageType", m.Mti switch
            {
                Mti.FinancialRequest or Mti.FinancialRequestRepeat => "financial",
                Mti.AuthorisationAdvice or Mti.AuthorisationAdviceRepeat => "advice",
                Mti.ReversalRequest or Mti.ReversalRequestRepeat or Mti.ReversalAdvice or Mti.ReversalAdviceRepeat => "reversal",
                _ => "authorisation",
            });
            json.WriteString("account", Field(2));
            if (m.Has(14)) json.WriteString("expiry", Field(14));
            json.WriteNumber("amountMinor", transaction.Amount);
            json.WriteString("currency", Field(49));
            json.WriteString("processingCode", Field(3));
            if (m.Has(42)) json.WriteString("merchantId", Field(42));
            if (m.Has(18)) json.WriteString("merchantCategory", Field(18));
            json.WriteString("terminalId", Field(41));
            json.WriteString("acquirerId", Field(32));
            json.WriteString("rrn", Field(37));
            json.WriteString("stan", Field(11));
            json.WriteString("transmissionDateTime", Field(7));
            json.WriteEndObject();
        }
        return stream.ToArray();
    }

    internal override void OnTick(long nowTimestamp)
    {
        if (Volatile.Read(ref _available) != 0 || nowTimestamp - _lastProbe < Stopwatch.Frequency) return;
        _lastProbe = nowTimestamp;
        if (Interlocked.Exchange(ref _probing, 1) == 0) _ = ProbeAsync();
    }

    /// <summary>Checks the wallet host accepts TCP connections (the contract has no health call; a connect is protocol-neutral).</summary>
    private async Task ProbeAsync()
    {
        try
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            using var timeout = new CancellationTokenSource(Options.TimeoutMs);
            await socket.ConnectAsync(_baseAddress.Host, _baseAddress.Port, timeout.Token).ConfigureAwait(false);
            Volatile.Write(ref _available, 1);
            _lastError = null;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            Volatile.Write(ref _available, 0);
            _lastError = ex.Message;
        }
        finally
        {
            Volatile.Write(ref _probing, 0);
        }
    }

    public override ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
