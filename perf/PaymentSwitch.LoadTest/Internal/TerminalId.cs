using System.Diagnostics;

namespace PaymentSwitch.LoadTest.Internal;

/// <summary>
/// DE41 (card acceptor terminal id, 8 characters) of the harness's new transactions. The switch knows a transaction by
/// (DE32, DE41, DE11, DE7); every connection of a run has the same DE32, runs through the same STAN sequence and sends
/// in the same DE7 second, so DE41 alone must keep the connections apart, for every connection count allowed.
/// </summary>
/// <remarks>
/// Terminals mode: <c>T</c> + the 7-digit connection number, the same for each request of the terminal. Acquirer mode:
/// <c>A</c> + the 4-digit connection number (the host link, up to <see cref="LoadTestOptions.MaxConnections"/>) + 3
/// digits that rotate with each request (the terminals behind the link). The connection number is never cut short,
/// so two connections never share a terminal id.
/// </remarks>
internal static class TerminalId
{
    public const int Length = 8;

    /// <summary>Writes the terminal id of request <paramref name="requestNumber"/> of connection <paramref name="connectionIndex"/>.</summary>
    public static void Write(Span<byte> de41, LoadTestMode mode, int connectionIndex, long requestNumber)
    {
        Debug.Assert(de41.Length == Length, "DE41 is 8 characters");
        Debug.Assert(connectionIndex is >= 0 and < LoadTestOptions.MaxConnections, "the connection number must fit its digits");
        if (mode == LoadTestMode.Terminals)
        {
            de41[0] = (byte)'T';
            AsciiDigits.Write(de41[1..], connectionIndex);
        }
        else
        {
            de41[0] = (byte)'A';
            AsciiDigits.Write(de41.Slice(1, 4), connectionIndex);
            AsciiDigits.Write(de41[5..], requestNumber % 1000);
        }
    }
}
