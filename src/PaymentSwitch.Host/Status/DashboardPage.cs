using Microsoft.AspNetCore.Http;

namespace PaymentSwitch.Host.Status;

/// <summary>
/// Serves the live dashboard: one self-contained HTML page (inline CSS and script, charts drawn as inline SVG by its
/// own code) embedded in the host assembly, so nothing on disk and nothing from another host is needed. It polls
/// <c>/status</c> once a second. The content security policy allows no other origin.
/// </summary>
internal static class DashboardPage
{
    public const string ResourceName = "PaymentSwitch.Host.Status.dashboard.html";

    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly Lazy<byte[]> Html = new(Load);

    public static byte[] Content => Html.Value;

    public static Task ServeAsync(HttpContext context)
    {
        byte[] html = Html.Value;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        context.Response.ContentLength = html.Length;
        return context.Response.Body.WriteAsync(html, context.RequestAborted).AsTask();
    }

    private static byte[] Load()
    {
        using Stream stream = typeof(DashboardPage).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The dashboard page ({ResourceName}) is missing from the host assembly; it is built in as an embedded resource.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
