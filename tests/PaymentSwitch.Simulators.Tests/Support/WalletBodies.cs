using System.Text;

namespace PaymentSwitch.Simulators.Tests.Support;

/// <summary>Wallet API request bodies as the contract writes them (raw JSON text, so the tests see the wire).</summary>
internal static class WalletBodies
{
    public static string Authorisation(string key, long amountMinor = 1000, string account = Requests.Pan, string messageType = "authorisation",
        string? expiry = "9912", string? approvalCode = null, string extra = "")
        => "{"
           + $"\"idempotencyKey\": \"{key}\", \"messageType\": \"{messageType}\", \"account\": \"{account}\","
           + (expiry is null ? "" : $" \"expiry\": \"{expiry}\",")
           + $" \"amountMinor\": {amountMinor}, \"currency\": \"978\", \"processingCode\": \"000000\", \"merchantId\": \"MERCHANT0000001\","
           + " \"merchantCategory\": \"5411\", \"terminalId\": \"TERM0001\", \"acquirerId\": \"12345\", \"rrn\": \"632612345678\","
           + " \"stan\": \"123456\", \"transmissionDateTime\": \"1122103000\""
           + (approvalCode is null ? "" : $", \"approvalCode\": \"{approvalCode}\"")
           + extra
           + "}";

    public static string Reversal(string key, string originalKey, long amountMinor = 1000, string reason = "timeout")
        => $"{{\"idempotencyKey\": \"{key}\", \"originalIdempotencyKey\": \"{originalKey}\", \"amountMinor\": {amountMinor}, \"currency\": \"978\", \"reason\": \"{reason}\"}}";

    /// <summary>A JSON body (no Idempotency-Key header).</summary>
    public static HttpContent Json(string body) => new StringContent(body, Encoding.UTF8, "application/json");

    /// <summary>A POST with the Idempotency-Key header, as the switch sends it.</summary>
    public static HttpRequestMessage Post(string path, string body, string? idempotencyKeyHeader)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (idempotencyKeyHeader is not null) request.Headers.Add("Idempotency-Key", idempotencyKeyHeader);
        return request;
    }
}
