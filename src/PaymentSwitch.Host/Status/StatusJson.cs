using System.Text.Encodings.Web;
using System.Text.Json;

namespace PaymentSwitch.Host.Status;

/// <summary>
/// JSON writer settings of the endpoint. Text is escaped only where JSON requires it (quotes, backslashes, control
/// characters), so messages stay readable with curl; the responses are <c>application/json</c> with
/// <c>X-Content-Type-Options: nosniff</c>, never HTML.
/// </summary>
internal static class StatusJson
{
    public static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static readonly JsonWriterOptions Indented = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true };
}
