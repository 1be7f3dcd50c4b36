using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace PaymentSwitch.Host.Status;

/// <summary>
/// Decides whether a request may change routes or issuers: it must carry <c>Authorization: Bearer TOKEN</c> matching
/// <c>Status:AdminToken</c> (or <c>PAYMENTSWITCH_Status__AdminToken</c>). Without a configured token every change is
/// refused. Tokens are compared in constant time through their SHA-256 hashes and only ever shown as a fingerprint.
/// </summary>
internal sealed class AdminAuthorisation
{
    private const string BearerPrefix = "Bearer ";
    private readonly byte[]? _tokenHash;

    public AdminAuthorisation(string? configuredToken)
    {
        if (!string.IsNullOrWhiteSpace(configuredToken)) _tokenHash = SHA256.HashData(Encoding.UTF8.GetBytes(configuredToken));
    }

    public bool IsConfigured => _tokenHash is not null;

    /// <summary>Checks the request. <paramref name="caller"/> names it for the log: remote address and token fingerprint.</summary>
    public AdminDecision Check(HttpContext context, out AdminCaller caller)
    {
        string remote = RemoteOf(context);
        string? presented = PresentedToken(context);
        byte[]? presentedHash = presented is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        caller = new AdminCaller(remote, presentedHash is null ? "none" : Fingerprint(presentedHash));
        if (_tokenHash is null) return AdminDecision.NotConfigured;
        if (presentedHash is null) return AdminDecision.MissingToken;
        return CryptographicOperations.FixedTimeEquals(presentedHash, _tokenHash) ? AdminDecision.Allowed : AdminDecision.WrongToken;
    }

    /// <summary>The fingerprint of a token as the log shows it: <c>sha256:</c> and the first 12 hex digits of its hash.</summary>
    public static string Fingerprint(string token) => Fingerprint(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Fingerprint(byte[] hash) => "sha256:" + Convert.ToHexStringLower(hash.AsSpan(0, 6));

    private static string? PresentedToken(HttpContext context)
    {
        string? header = context.Request.Headers.Authorization;
        if (header is null || !header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase)) return null;
        string token = header[BearerPrefix.Length..].Trim();
        return token.Length == 0 ? null : token;
    }

    private static string RemoteOf(HttpContext context)
    {
        var connection = context.Connection;
        return connection.RemoteIpAddress is null ? "unknown" : $"{connection.RemoteIpAddress}:{connection.RemotePort}";
    }
}

/// <summary>Outcome of <see cref="AdminAuthorisation.Check"/>.</summary>
internal enum AdminDecision
{
    Allowed,
    /// <summary>No admin token configured: changes are disabled (403).</summary>
    NotConfigured,
    /// <summary>No bearer token in the request (401).</summary>
    MissingToken,
    /// <summary>A bearer token that does not match (401).</summary>
    WrongToken,
}

/// <summary>Who asked for a change, as the log records it.</summary>
internal readonly record struct AdminCaller(string Remote, string TokenFingerprint);
