using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace PaymentSwitch.Core.Networking;

/// <summary>Parses <c>host:port</c> settings (<c>127.0.0.1:5000</c>, <c>[::1]:5000</c>, <c>localhost:5000</c>). Port 0 picks a free port.</summary>
public static class EndpointAddress
{
    public static bool TryParse(string? text, [NotNullWhen(true)] out IPEndPoint? endpoint)
    {
        endpoint = null;
        if (string.IsNullOrWhiteSpace(text)) return false;
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, null, out int port) || port > 65535)
            return false;
        string host = text[..colon];
        IPAddress? address;
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) address = IPAddress.Loopback;
        else if (host.StartsWith('[') && host.EndsWith(']')) IPAddress.TryParse(host[1..^1], out address);
        else if (!host.Contains(':')) IPAddress.TryParse(host, out address);
        else address = null;
        if (address is null) return false;
        endpoint = new IPEndPoint(address, port);
        return true;
    }

    public static IPEndPoint Parse(string text, string settingName)
        => TryParse(text, out IPEndPoint? endpoint)
            ? endpoint
            : throw new FormatException($"{settingName}: '{text}' is not an address:port (e.g. 127.0.0.1:5000).");
}
