using PaymentSwitch.Core.Acquiring;
using PaymentSwitch.Integration.Tests.Support;
using PaymentSwitch.Iso8583;
using static PaymentSwitch.Integration.Tests.Support.Requests;

namespace PaymentSwitch.Integration.Tests;

/// <summary>
/// How an acquirer connection reads: straight into a buffer while its peer keeps sending, with a zero-byte wait (no
/// buffer held) once it pauses.
/// </summary>
public class AcquirerReceiveTests
{
    [Fact]
    public async Task A_busy_connection_reads_without_zero_byte_waits_and_a_quiet_one_goes_back_to_them()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync();
        await using TestTerminal terminal = await sw.ConnectAsync();
        int stan = 0;

        // Back to back: each request follows the previous answer within milliseconds.
        for (int i = 0; i < 300; i++) await AuthoriseAsync(terminal, ++stan);
        AcquirerConnection connection = Assert.Single(sw.Runtime.Listeners[0].OpenConnections);
        long afterBurst = connection.BusyReceives;
        Assert.True(afterBurst > 0, "no receive of a 300-request burst skipped the zero-byte wait");

        // A pause far longer than the busy gap: the receive posted before it gets these bytes, and the next one waits
        // with a zero-byte read again, so a request after a second pause is not a busy receive.
        await Task.Delay(TimeSpan.FromMilliseconds(AcquirerConnection.BusyGapMs * 6));
        await AuthoriseAsync(terminal, ++stan);
        long afterFirstPause = connection.BusyReceives;
        await Task.Delay(TimeSpan.FromMilliseconds(AcquirerConnection.BusyGapMs * 6));
        await AuthoriseAsync(terminal, ++stan);
        Assert.Equal(afterFirstPause, connection.BusyReceives);

        // And busy again once requests flow.
        for (int i = 0; i < 300; i++) await AuthoriseAsync(terminal, ++stan);
        Assert.True(connection.BusyReceives > afterFirstPause, "the connection did not become busy again");
        Assert.Equal(stan, sw.Card.Ledger.ApprovedCount);
    }

    private static async Task AuthoriseAsync(TestTerminal terminal, int stan)
    {
        Authorisation(terminal.Builder, CardPan, amount: 100 + stan, stan, terminal: "T0000001");
        await terminal.SendAsync();
        IsoMessage reply = (await terminal.ReceiveAsync())!;
        Assert.Equal("00", Text(reply, 39));
        Assert.Equal(stan.ToString("D6"), Text(reply, 11));
    }
}
