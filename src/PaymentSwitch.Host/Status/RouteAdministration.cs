using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using PaymentSwitch.Core.Issuers;
using PaymentSwitch.Core.Routing;

namespace PaymentSwitch.Host.Status;

/// <summary>
/// Operator changes over HTTP: read and replace the BIN routes, suspend and resume an issuer. Every change needs the
/// admin bearer token (<see cref="AdminAuthorisation"/>) and is logged with who and what, refused or made.
/// </summary>
/// <remarks>
/// <c>PUT /routes</c> takes a <c>routes.json</c> document, validates it and swaps it in atomically
/// (<see cref="BinRouter.Reload"/>): requests in flight finish on the table they started with, and a bad table is
/// refused with the reasons while the old one stays. <c>If-Match: "v7"</c> makes the change conditional on version 7
/// still being in force (412 otherwise), checked when the request arrives and again atomically at the swap. A table with no routes at all is refused unless <c>?allowEmpty=true</c>,
/// since it would answer every card DE39 = 15. A table put in force is written back to the routes file (atomically,
/// <c>Routes:SaveChanges</c>, default on), so a restart keeps it; if that write fails the answer says so
/// (<c>"saved": false</c>) and the table stays in force in memory only.
/// </remarks>
internal sealed class RouteAdministration(SwitchRuntime runtime, AdminAuthorisation authorisation, ILogger logger)
{
    // One route change at a time from this endpoint, swap and save together, so the file always ends with the table
    // that is in force. Lookups never wait for it (they read the router's snapshot).
    private readonly SemaphoreSlim _changeGate = new(1, 1);

    /// <summary>Largest routes document accepted (the largest legal table written out is below this).</summary>
    public const long MaxRoutesDocumentBytes = 256L * 1024 * 1024;

    public async Task GetRoutesAsync(HttpContext context)
    {
        if (runtime.Router is not BinRouter router)
        {
            await Problem(context, StatusCodes.Status503ServiceUnavailable, "the switch has not started yet").ConfigureAwait(false);
            return;
        }
        BinRoutingTable table = router.Current;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.ETag = ETagOf(table);
        context.Response.Headers["X-Routes-Version"] = table.Version.ToString(CultureInfo.InvariantCulture);
        await using (var json = new Utf8JsonWriter(context.Response.BodyWriter, StatusJson.Indented))
            BinRoutesJson.WriteRoutes(json, table.Routes);
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    public async Task PutRoutesAsync(HttpContext context)
    {
        const string action = "replace routes (PUT /routes)";
        if (await AuthoriseAsync(context, action).ConfigureAwait(false) is not AdminCaller caller) return;
        if (runtime.Router is not BinRouter router)
        {
            await Problem(context, StatusCodes.Status503ServiceUnavailable, "the switch has not started yet").ConfigureAwait(false);
            return;
        }

        BinRoutingTable before = router.Current;
        string? ifMatch = context.Request.Headers.IfMatch;
        if (ifMatch is not null && ifMatch != "*" && ifMatch != ETagOf(before))
        {
            string reason = $"If-Match {ifMatch} does not match the table in force ({ETagOf(before)}); read GET /routes again";
            StatusLog.ChangeRefused(logger, caller.Remote, caller.TokenFingerprint, action, reason);
            await Problem(context, StatusCodes.Status412PreconditionFailed, reason).ConfigureAwait(false);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxRoutesDocumentBytes;
        byte[] body;
        try
        {
            body = await ReadBodyAsync(context.Request.BodyReader, context.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex)
        {
            string reason = "the routes document could not be read: " + ex.Message;
            StatusLog.ChangeRefused(logger, caller.Remote, caller.TokenFingerprint, action, reason);
            await Problem(context, ex.StatusCode, reason).ConfigureAwait(false);
            return;
        }

        BinRoutesParseResult parsed = BinRoutesJson.Parse(body);
        if (!parsed.Succeeded)
        {
            await RefuseRoutes(context, caller, action, before, StatusCodes.Status400BadRequest, parsed.Errors.Select(e => e.ToString())).ConfigureAwait(false);
            return;
        }
        if (parsed.Routes.Count == 0 && !string.Equals(context.Request.Query["allowEmpty"], "true", StringComparison.OrdinalIgnoreCase))
        {
            await RefuseRoutes(context, caller, action, before, StatusCodes.Status422UnprocessableEntity,
                ["the table has no routes, so every card would be answered DE39 = 15; add ?allowEmpty=true if that is what you want"]).ConfigureAwait(false);
            return;
        }

        string source = $"PUT /routes from {caller.Remote} (token {caller.TokenFingerprint})";
        // If-Match is checked again under the router's writer gate: a change that landed while this body was read and
        // parsed wins, and this one is refused instead of undoing it.
        long? expectedVersion = ifMatch is null || ifMatch == "*" ? null : before.Version;
        BinRouteReloadResult result;
        string? savedTo = null;
        string? saveProblem = null;
        bool replacedByFileEdit = false;
        await _changeGate.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        try
        {
            result = router.Reload(parsed.Routes, source, expectedVersion);
            if (result.Outcome == BinRouteReloadOutcome.Swapped)
            {
                try
                {
                    savedTo = runtime.SaveRoutes(parsed.Routes, result.Current.Version);
                }
                catch (RoutesSupersededException ex)
                {
                    saveProblem = ex.Message;
                    replacedByFileEdit = true;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    saveProblem = ex.Message;
                }
            }
        }
        finally
        {
            _changeGate.Release();
        }

        if (result.Outcome == BinRouteReloadOutcome.Superseded)
        {
            string reason = $"If-Match {ifMatch}: the table changed to {ETagOf(result.Current)} while this request was being read; read GET /routes again";
            StatusLog.ChangeRefused(logger, caller.Remote, caller.TokenFingerprint, action, reason);
            await Problem(context, StatusCodes.Status412PreconditionFailed, reason).ConfigureAwait(false);
            return;
        }
        if (!result.Succeeded)
        {
            await RefuseRoutes(context, caller, action, result.Current, StatusCodes.Status422UnprocessableEntity, result.Errors.Select(e => e.ToString())).ConfigureAwait(false);
            return;
        }

        BinRoutingTable now = result.Current;
        BinRoutingTable inForce = router.Current;
        string saved = savedTo is not null ? $"saved to {savedTo}"
            : replacedByFileEdit ? $"NOT saved ({saveProblem}): version {inForce.Version} from the file is in force"
            : saveProblem is not null ? $"NOT saved ({saveProblem}): a restart would go back to the file's routes"
            : "not saved (Routes:SaveChanges is off)";
        StatusLog.ChangeMade(logger, caller.Remote, caller.TokenFingerprint,
            $"routes replaced: version {result.Previous?.Version} -> {now.Version}, {now.RouteCount} routes for issuers [{string.Join(", ", now.Issuers)}], built in {result.ElapsedMs:F0} ms; {saved}");
        context.Response.Headers.ETag = ETagOf(replacedByFileEdit ? inForce : now);
        await Json(context, StatusCodes.Status200OK, json =>
        {
            json.WriteString("result", replacedByFileEdit ? "swapped-then-replaced-by-file-edit" : "swapped");
            if (replacedByFileEdit) json.WriteNumber("versionInForce", inForce.Version);
            json.WriteNumber("version", now.Version);
            json.WriteNumber("previousVersion", result.Previous?.Version ?? before.Version);
            json.WriteNumber("routes", now.RouteCount);
            json.WriteStartArray("issuers");
            foreach (string issuer in now.Issuers) json.WriteStringValue(issuer);
            json.WriteEndArray();
            json.WriteNumber("builtInMs", Math.Round(result.ElapsedMs, 1));
            json.WriteBoolean("saved", savedTo is not null);
            if (savedTo is not null) json.WriteString("savedTo", savedTo);
            if (saveProblem is not null) json.WriteString("saveProblem", saveProblem);
        }).ConfigureAwait(false);
    }

    public async Task SetSuspendedAsync(HttpContext context, string issuerId, bool suspend)
    {
        string action = (suspend ? "suspend" : "resume") + $" issuer '{Shown(issuerId)}'";
        if (await AuthoriseAsync(context, action).ConfigureAwait(false) is not AdminCaller caller) return;
        IssuerLink? link = runtime.Engine?.Issuers.Find(issuerId);
        if (link is null)
        {
            string reason = runtime.Engine is null ? "the switch has not started yet" : $"no issuer '{Shown(issuerId)}' is configured";
            StatusLog.ChangeRefused(logger, caller.Remote, caller.TokenFingerprint, action, reason);
            await Problem(context, runtime.Engine is null ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status404NotFound, reason).ConfigureAwait(false);
            return;
        }
        bool wasSuspended = link.IsSuspended;
        if (suspend) link.Suspend();
        else link.Resume();
        StatusLog.ChangeMade(logger, caller.Remote, caller.TokenFingerprint,
            wasSuspended == suspend ? action + " (it already was)" : action + (suspend ? ": its requests are answered DE39 = 91 until resumed" : ": traffic flows again"));
        await Json(context, StatusCodes.Status200OK, json =>
        {
            json.WriteString("issuer", link.Id);
            json.WriteBoolean("suspended", link.IsSuspended);
            json.WriteBoolean("changed", wasSuspended != suspend);
            json.WriteBoolean("hasReadyConnection", link.HasReadyConnection);
        }).ConfigureAwait(false);
    }

    /// <summary>Checks the bearer token; on refusal answers 401/403, logs, and returns null.</summary>
    private async Task<AdminCaller?> AuthoriseAsync(HttpContext context, string action)
    {
        AdminDecision decision = authorisation.Check(context, out AdminCaller caller);
        if (decision == AdminDecision.Allowed) return caller;
        (int status, string reason) = decision switch
        {
            AdminDecision.NotConfigured => (StatusCodes.Status403Forbidden,
                "changes are disabled: no admin token is configured (set Status:AdminToken or PAYMENTSWITCH_Status__AdminToken)"),
            AdminDecision.MissingToken => (StatusCodes.Status401Unauthorized, "an 'Authorization: Bearer <token>' header is required"),
            _ => (StatusCodes.Status401Unauthorized, "the bearer token is not the admin token"),
        };
        StatusLog.ChangeRefused(logger, caller.Remote, caller.TokenFingerprint, action, reason);
        if (status == StatusCodes.Status401Unauthorized)
            context.Response.Headers.WWWAuthenticate = decision == AdminDecision.WrongToken ? "Bearer error=\"invalid_token\"" : "Bearer";
        await Problem(context, status, reason).ConfigureAwait(false);
        return null;
    }

    private async Task RefuseRoutes(HttpContext context, AdminCaller caller, string action, BinRoutingTable inForce, int status, IEnumerable<string> errors)
    {
        string[] shown = [.. errors.Select(CardNumberRedaction.Redact)];
        string reason = $"routes refused; version {inForce.Version} ({inForce.RouteCount} routes) stays in force";
        StatusLog.ChangeRefused(logger, caller.Remote, caller.TokenFingerprint, action,
            reason + ": " + string.Join("; ", shown.Take(10)) + (shown.Length > 10 ? $"; and {shown.Length - 10} more" : ""));
        await Json(context, status, json =>
        {
            json.WriteString("error", reason);
            json.WriteNumber("version", inForce.Version);
            json.WriteStartArray("errors");
            foreach (string error in shown) json.WriteStringValue(error);
            json.WriteEndArray();
        }).ConfigureAwait(false);
    }

    private static async Task<byte[]> ReadBodyAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (read.IsCompleted)
            {
                byte[] body = read.Buffer.ToArray();
                reader.AdvanceTo(read.Buffer.End);
                return body;
            }
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    private static string ETagOf(BinRoutingTable table) => "\"v" + table.Version.ToString(CultureInfo.InvariantCulture) + "\"";

    /// <summary>An issuer id from the URL as the log and answer show it (bounded, no control characters, no card numbers).</summary>
    private static string Shown(string id)
    {
        string bounded = id.Length > BinRoutingTable.MaxIssuerIdChars ? id[..BinRoutingTable.MaxIssuerIdChars] + "…" : id;
        return CardNumberRedaction.Redact(string.Concat(bounded.Select(c => char.IsControl(c) ? '?' : c)));
    }

    public static Task Problem(HttpContext context, int status, string reason) =>
        Json(context, status, json => json.WriteString("error", reason));

    public static async Task Json(HttpContext context, int status, Action<Utf8JsonWriter> body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await using (var json = new Utf8JsonWriter(context.Response.BodyWriter, StatusJson.Indented))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}
