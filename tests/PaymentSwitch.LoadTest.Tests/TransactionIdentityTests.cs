using System.Buffers.Binary;
using PaymentSwitch.LoadTest.Internal;
using PaymentSwitch.LoadTest.Tests.Support;

namespace PaymentSwitch.LoadTest.Tests;

/// <summary>
/// The switch knows a transaction by (DE32, DE41, DE11, DE7). Every connection has the same DE32, the same STAN
/// sequence and the same DE7 second, so its DE41 must differ from every other connection's, however many there are.
/// </summary>
public sealed class TransactionIdentityTests
{
    [Theory]
    [InlineData(LoadTestMode.Acquirer)]
    [InlineData(LoadTestMode.Terminals)]
    public void No_two_connections_share_a_terminal_id_up_to_the_connection_limit(LoadTestMode mode)
    {
        // Request numbers that line up the rotating digits of different connections in several ways.
        long[] requests = [0, 1, 2, 999, 1000, 9_999, 10_000, 123_457];
        var owner = new Dictionary<ulong, int>();
        Span<byte> de41 = stackalloc byte[TerminalId.Length];
        for (int connection = 0; connection < LoadTestOptions.MaxConnections; connection++)
        {
            foreach (long request in requests)
            {
                TerminalId.Write(de41, mode, connection, request);
                Assert.Equal(-1, de41[1..].IndexOfAnyExceptInRange((byte)'0', (byte)'9'));
                ulong key = BinaryPrimitives.ReadUInt64BigEndian(de41);
                if (owner.TryGetValue(key, out int other))
                    Assert.True(other == connection, $"connections {other} and {connection} both send DE41 '{System.Text.Encoding.ASCII.GetString(de41)}'");
                else
                    owner[key] = connection;
            }
        }
    }

    [Fact]
    public async Task A_run_with_more_than_1000_connections_sends_no_repeated_transaction_key()
    {
        // 1,200 acquirer links: links n and n + 1000 run through the same STANs in the same DE7 seconds, so only DE41
        // keeps their transactions apart. The responder counts requests whose (DE32, DE41, DE11, DE7) came before.
        await using var responder = new IsoResponder(TestWire.Dialect, TestWire.Framing, trackApprovals: false);
        LoadTestOptions options = TestWire.Options(responder.Port, o =>
        {
            o.Connections = 1200;
            o.RatePerSecond = 3000;
            o.Duration = TimeSpan.FromMilliseconds(1500);
            o.MaxInFlightPerConnection = 4;
        });

        LoadTestResult result = await TestWire.RunAsync(options);

        Assert.True(result.TotalErrors == 0, TestWire.Describe(result));
        Assert.True(responder.Requests >= 4_000, $"responder saw {responder.Requests}");
        Assert.True(responder.ConnectionsAccepted == 1200, $"accepted {responder.ConnectionsAccepted}");
        Assert.Equal(0, responder.RepeatedKeys);
    }
}
