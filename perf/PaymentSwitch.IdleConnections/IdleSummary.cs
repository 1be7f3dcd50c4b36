using System.Globalization;

namespace PaymentSwitch.IdleConnections;

/// <summary>Final counts of one run.</summary>
/// <param name="Requested">Connections asked for.</param>
/// <param name="Opened">Connects that succeeded.</param>
/// <param name="Failed">Connects that failed or timed out.</param>
/// <param name="ClosedByPeer">Opened connections the listener closed (or reset) while they were held.</param>
/// <param name="UnexpectedBytes">Bytes the listener sent on connections that never sent anything.</param>
/// <param name="StillOpen">Opened connections still open when the hold ended.</param>
/// <param name="Sources">Source addresses used.</param>
/// <param name="FirstError">The first connect error, if any.</param>
internal sealed record IdleSummary(int Requested, int Opened, int Failed, int ClosedByPeer, long UnexpectedBytes, int StillOpen, int Sources, string? FirstError)
{
    public string ToJson()
    {
        string error = FirstError is null ? "null" : "\"" + FirstError.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
        return string.Create(CultureInfo.InvariantCulture,
            $"{{\"requested\":{Requested},\"opened\":{Opened},\"failed\":{Failed},\"closedByPeer\":{ClosedByPeer},\"unexpectedBytes\":{UnexpectedBytes},\"stillOpen\":{StillOpen},\"sources\":{Sources},\"firstError\":{error}}}");
    }
}
