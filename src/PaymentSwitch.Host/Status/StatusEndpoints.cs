using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PaymentSwitch.Core.Metrics;

namespace PaymentSwitch.Host.Status;

/// <summary>
/// The operator HTTP endpoint: the dashboard (<c>/</c>), liveness and readiness, <c>/status</c> (JSON),
/// <c>/metrics</c> (Prometheus text), and the route and issuer administration that needs the admin token.
/// </summary>
internal static class StatusEndpoints
{
    /// <summary>Registers the status monitor, which makes the metrics once the <see cref="SwitchRuntime"/> has started.</summary>
    public static void AddStatus(IServiceCollection services)
    {
        services.AddSingleton<StatusMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<StatusMonitor>());
    }

    public static void Map(WebApplication app, SwitchRuntime runtime)
    {
        StatusMonitor monitor = app.Services.GetRequiredService<StatusMonitor>();
        ILogger logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("PaymentSwitch.Status");
        string? token = runtime.Options.Status.AdminToken;
        var authorisation = new AdminAuthorisation(token);
        StatusLog.AdminState(logger, authorisation.IsConfigured
            ? $"enabled for bearer token {AdminAuthorisation.Fingerprint(token!)}"
            : "disabled: no Status:AdminToken (or PAYMENTSWITCH_Status__AdminToken) is configured");
        var administration = new RouteAdministration(runtime, authorisation, logger);

        app.Use(static (context, next) =>
        {
            context.Response.Headers.XContentTypeOptions = "nosniff";
            context.Response.Headers.CacheControl = "no-store";
            return next(context);
        });

        Get(app, "/", DashboardPage.ServeAsync);
        Get(app, "/health/live", static context => Text(context, StatusCodes.Status200OK, "live\n"));
        Get(app, "/health/ready", context =>
        {
            IReadOnlyList<string> missing = Readiness.Missing(runtime);
            return missing.Count == 0
                ? Text(context, StatusCodes.Status200OK, "ready\n")
                : Text(context, StatusCodes.Status503ServiceUnavailable, "not ready:\n" + string.Concat(missing.Select(m => "  " + m + "\n")));
        });
        Get(app, "/status", async context =>
        {
            if (monitor.Metrics is not SwitchMetrics metrics)
            {
                await RouteAdministration.Problem(context, StatusCodes.Status503ServiceUnavailable, "the switch is starting").ConfigureAwait(false);
                return;
            }
            IReadOnlyList<string> missing = Readiness.Missing(runtime);
            context.Response.ContentType = "application/json; charset=utf-8";
            await using (var json = new Utf8JsonWriter(context.Response.BodyWriter, StatusJson.Compact))
                StatusDocument.Write(json, runtime, metrics, missing, DateTimeOffset.UtcNow);
            await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        });
        Get(app, "/metrics", async context =>
        {
            if (monitor.Metrics is not SwitchMetrics metrics)
            {
                await Text(context, StatusCodes.Status503ServiceUnavailable, "the switch is starting\n").ConfigureAwait(false);
                return;
            }
            string text = PrometheusExposition.Write(metrics, Readiness.Missing(runtime).Count == 0);
            context.Response.ContentType = PrometheusExposition.ContentType;
            await context.Response.WriteAsync(text, context.RequestAborted).ConfigureAwait(false);
        });
        Get(app, "/routes", administration.GetRoutesAsync);
        app.MapPut("/routes", administration.PutRoutesAsync);
        app.MapPost("/issuers/{id}/suspend", context => administration.SetSuspendedAsync(context, IssuerId(context), suspend: true));
        app.MapPost("/issuers/{id}/resume", context => administration.SetSuspendedAsync(context, IssuerId(context), suspend: false));
    }

    private static void Get(IEndpointRouteBuilder app, string pattern, RequestDelegate handler) => app.MapGet(pattern, handler);

    private static string IssuerId(HttpContext context) => context.Request.RouteValues["id"] as string ?? "";

    private static Task Text(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text, context.RequestAborted);
    }
}
