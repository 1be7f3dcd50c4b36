using Microsoft.AspNetCore.Http;

namespace PaymentSwitch.Simulators.Internal;

/// <summary>
/// The operator endpoints both simulators serve (the card issuer on its admin port, the wallet issuer beside its API):
/// <list type="bullet">
/// <item><c>GET /ledger</c> (also <c>GET /v1/ledger</c>): the ledger as JSON.</item>
/// <item><c>GET /fault</c>, <c>POST /fault?mode=none|silent|late:MS|drop|drop:N|garbage|error</c>: read or change the fault.</item>
/// <item><c>POST /reset</c>: zero the ledger and forget every remembered transaction.</item>
/// <item><c>POST /ledger/save</c>: write the ledger to the configured ledger file.</item>
/// <item><c>POST /network-management?answer=true|false</c> (card only): answer 0800 or not.</item>
/// </list>
/// </summary>
internal static class AdminApi
{
    /// <summary>Serves <paramref name="context"/> when it is an admin request; false when the path is not one of them.</summary>
    public static async Task<bool> TryHandleAsync(HttpContext context, ISimulatorControl control)
    {
        HttpRequest request = context.Request;
        string path = request.Path.Value ?? "";
        bool get = HttpMethods.IsGet(request.Method);
        bool post = HttpMethods.IsPost(request.Method);
        switch (path)
        {
            case "/ledger":
            case "/v1/ledger":
                if (!get) return await MethodNotAllowed(context, "GET");
                await context.Response.WriteAsJsonAsync(control.Ledger, SimulatorJson.Default.IssuerLedgerSnapshot);
                return true;

            case "/fault":
                if (get)
                {
                    await context.Response.WriteAsJsonAsync(new FaultBody(control.Fault.ToString()), SimulatorJson.Default.FaultBody);
                    return true;
                }
                if (!post) return await MethodNotAllowed(context, "GET, POST");
                string? text = request.Query["mode"];
                if (text is null) return await BadRequest(context, "POST /fault needs ?mode=none|silent|late:MS|drop|drop:N|garbage|error");
                if (!FaultMode.TryParse(text, out FaultMode? mode, out string? error)) return await BadRequest(context, error);
                control.SetFault(mode);
                await context.Response.WriteAsJsonAsync(new FaultBody(mode.ToString()), SimulatorJson.Default.FaultBody);
                return true;

            case "/reset":
                if (!post) return await MethodNotAllowed(context, "POST");
                control.ResetLedger();
                await context.Response.WriteAsJsonAsync(control.Ledger, SimulatorJson.Default.IssuerLedgerSnapshot);
                return true;

            case "/ledger/save":
                if (!post) return await MethodNotAllowed(context, "POST");
                if (control.LedgerFilePath is not string file) return await BadRequest(context, "no ledger file is configured (start the simulator with --ledger-file PATH)");
                try
                {
                    await control.WriteLedgerFileAsync(file, context.RequestAborted);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                    await context.Response.WriteAsJsonAsync(new ErrorBody($"could not write the ledger to {file}: {ex.Message}"), SimulatorJson.Default.ErrorBody);
                    return true;
                }
                await context.Response.WriteAsJsonAsync(new LedgerSavedBody(file, control.Ledger), SimulatorJson.Default.LedgerSavedBody);
                return true;

            case "/network-management":
                if (control.AnswerNetworkManagement is null) return false;
                if (get)
                {
                    await context.Response.WriteAsJsonAsync(new NetworkManagementBody(control.AnswerNetworkManagement.Value), SimulatorJson.Default.NetworkManagementBody);
                    return true;
                }
                if (!post) return await MethodNotAllowed(context, "GET, POST");
                if (!bool.TryParse(request.Query["answer"], out bool answer)) return await BadRequest(context, "POST /network-management needs ?answer=true or ?answer=false");
                control.SetAnswerNetworkManagement(answer);
                await context.Response.WriteAsJsonAsync(new NetworkManagementBody(answer), SimulatorJson.Default.NetworkManagementBody);
                return true;

            default:
                return false;
        }
    }

    public static async Task<bool> BadRequest(HttpContext context, string error)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        await context.Response.WriteAsJsonAsync(new ErrorBody(error), SimulatorJson.Default.ErrorBody);
        return true;
    }

    public static async Task<bool> MethodNotAllowed(HttpContext context, string allow)
    {
        context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
        context.Response.Headers.Allow = allow;
        await context.Response.WriteAsJsonAsync(new ErrorBody($"{context.Request.Method} is not allowed on {context.Request.Path}; use {allow}"), SimulatorJson.Default.ErrorBody);
        return true;
    }

    public static async Task NotFound(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        await context.Response.WriteAsJsonAsync(new ErrorBody($"no endpoint {context.Request.Method} {context.Request.Path}"), SimulatorJson.Default.ErrorBody);
    }
}
