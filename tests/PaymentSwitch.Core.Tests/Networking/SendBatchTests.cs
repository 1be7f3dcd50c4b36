using System.Net;
using System.Net.Sockets;
using PaymentSwitch.Core.Networking;

namespace PaymentSwitch.Core.Tests.Networking;

/// <summary>Writes inside a <see cref="SendBatch"/> go out at its end, together, on a real loopback connection.</summary>
public sealed class SendBatchTests
{
    private static async Task<(Socket Client, Socket Server)> ConnectedPairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Task<Socket> accepted = listener.AcceptAsync();
        await client.ConnectAsync(listener.LocalEndPoint!);
        return (client, await accepted);
    }

    /// <summary>Bytes that arrive within <paramref name="waitMs"/> (0 when none).</summary>
    private static int Available(Socket socket, int waitMs) => socket.Poll(waitMs * 1000, SelectMode.SelectRead) ? socket.Available : 0;

    [Fact]
    public async Task Frames_written_inside_a_batch_wait_for_its_end_then_leave_in_one_go_from_this_thread()
    {
        (Socket client, Socket server) = await ConnectedPairAsync();
        using (client)
        using (server)
        {
            string? fault = null;
            var buffer = new OutboundBuffer(new SocketTransport(server), 64 * 1024, reason => fault = reason);
            byte[] frame = new byte[100];
            SendBatch.Begin();
            try
            {
                for (int i = 0; i < 10; i++)
                {
                    frame[0] = (byte)i;
                    Assert.True(buffer.TryWrite(frame));
                }
                Assert.Equal(0, Available(client, 200)); // nothing sent yet, not even by the thread pool
                Assert.Equal(1000, buffer.PendingBytes);
            }
            finally
            {
                SendBatch.End();
            }

            // Sent by End, on this thread: the loopback send completes before End returns.
            Assert.Equal(0, buffer.PendingBytes);
            byte[] received = new byte[1000];
            int total = 0;
            while (total < received.Length) total += client.Receive(received.AsSpan(total));
            for (int i = 0; i < 10; i++) Assert.Equal(i, received[i * 100]);
            Assert.Null(fault);
        }
    }

    [Fact]
    public async Task Outside_a_batch_the_thread_pool_sends_and_nested_batches_flush_with_the_outermost()
    {
        (Socket client, Socket server) = await ConnectedPairAsync();
        using (client)
        using (server)
        {
            var buffer = new OutboundBuffer(new SocketTransport(server), 64 * 1024, _ => { });
            Assert.True(buffer.TryWrite(new byte[10]));
            Assert.Equal(10, Available(client, 10_000)); // no batch: the thread pool sent it
            byte[] sink = new byte[64];
            client.Receive(sink);
            // Until the pool's sender has finished, a new write would join its send: wait for it (hang guard 10 s).
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (buffer.SendPending && DateTime.UtcNow < deadline) await Task.Delay(5);
            Assert.False(buffer.SendPending);

            SendBatch.Begin();
            SendBatch.Begin();
            Assert.True(buffer.TryWrite(new byte[20]));
            SendBatch.End();
            Assert.Equal(0, Available(client, 200)); // the inner end does not send
            SendBatch.End();
            Assert.Equal(20, Available(client, 10_000));
        }
    }
}
