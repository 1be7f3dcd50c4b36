using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace PaymentSwitch.Integration.Tests;

/// <summary>Totals of a hostile run (updated from many tasks at once).</summary>
internal sealed class HostileTotals
{
    public long FramesSent;          // survivable frames in batches written completely
    public long BytesSent;
    public long ReplyFrames;         // replies the fuzz connections read back
    public long Connections;         // connections opened by the fuzzers, floods and slow senders
    public long RefusedOrReset;      // connects that failed or were closed before the first batch
    public long ExpectedCloses;      // endings after which the switch must close (over-maximum header, lying header)
    public long ObservedCloses;      // ... and did, in time
    public long SlowSessions;
    public long SlowClosedBySwitch;
    public long FloodConnections;
    public readonly long[] Endings = new long[Enum.GetValues<HostileEnding>().Length];
    public string? FirstMissedClose;
}

/// <summary>The hostile peers: batched fuzz sessions, connection floods and slow senders, all over real sockets.</summary>
internal static class HostileInputSessions
{
    private const int BatchBytes = 256 * 1024;

    /// <summary>
    /// Opens connections from <paramref name="source"/> one after another and fills each with large batches of mutated
    /// frames (reading the replies back), until the switch has handled <paramref name="frameTarget"/> frames (as
    /// <paramref name="handled"/> counts them: frames sent into a connection the switch then closes are lost). Each connection
    /// ends with a hostile tail; for the tails the switch must close on (over-maximum and lying headers) it checks that it did.
    /// </summary>
    public static async Task FuzzAsync(IPEndPoint target, string source, int seed, HostileTotals totals, Func<long> handled, long frameTarget, int frameTimeoutMs, CancellationToken stop)
    {
        var frames = new HostileInputFrames(seed);
        Random r = frames.Random;
        byte[] batch = new byte[BatchBytes];
        while (!stop.IsCancellationRequested && handled() < frameTarget)
        {
            Socket socket;
            try
            {
                socket = await ConnectAsync(target, source, stop);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                Interlocked.Increment(ref totals.RefusedOrReset);
                await Task.Delay(20, CancellationToken.None);
                continue;
            }
            Interlocked.Increment(ref totals.Connections);
            var reader = new ReplyReader(socket);
            Task<bool> closedBySwitch = reader.RunAsync();
            bool alive = true;
            // 1 to 40 batches of 50 to 3000 frames each, then a hostile ending.
            for (int batches = 1 + r.Next(40); alive && batches > 0 && handled() < frameTarget && !stop.IsCancellationRequested; batches--)
            {
                int count = 50 + r.Next(2950);
                int length = 0, written = 0;
                while (written < count && length + 2 + HostileInputFrames.MaxFrameBytes <= batch.Length)
                {
                    length += frames.WriteSurvivable(batch.AsSpan(length));
                    written++;
                }
                alive = await SendAllAsync(socket, batch.AsMemory(0, length));
                if (!alive) break;
                Interlocked.Add(ref totals.FramesSent, written);
                Interlocked.Add(ref totals.BytesSent, length);
            }
            if (!alive)
            {
                // Closed by the switch mid-session (e.g. a reply backlog); a fine outcome for hostile input.
                Interlocked.Increment(ref totals.RefusedOrReset);
                socket.Dispose();
                await closedBySwitch;
                Interlocked.Add(ref totals.ReplyFrames, reader.Frames);
                continue;
            }

            var ending = (HostileEnding)r.Next(totals.Endings.Length);
            Interlocked.Increment(ref totals.Endings[(int)ending]);
            int tail = frames.WriteEnding(batch, ending);
            bool tailSent = await SendAllAsync(socket, batch.AsMemory(0, tail));
            switch (ending)
            {
                case HostileEnding.OverMaximumHeader:
                case HostileEnding.LyingHeaderThenStall:
                    if (!tailSent) break; // already closed: nothing to check
                    Interlocked.Increment(ref totals.ExpectedCloses);
                    int waitMs = ending == HostileEnding.OverMaximumHeader ? 5000 : frameTimeoutMs + 5000;
                    if (await Task.WhenAny(closedBySwitch, Task.Delay(waitMs, CancellationToken.None)) == closedBySwitch && closedBySwitch.Result)
                        Interlocked.Increment(ref totals.ObservedCloses);
                    else
                        Interlocked.CompareExchange(ref totals.FirstMissedClose, $"{ending} on {source}: not closed by the switch within {waitMs} ms", null);
                    break;
                case HostileEnding.HalfFrameThenReset:
                    socket.LingerState = new LingerOption(true, 0);
                    break;
                case HostileEnding.HalfFrameThenClose:
                    try
                    {
                        socket.Shutdown(SocketShutdown.Send);
                    }
                    catch (SocketException)
                    {
                        // already reset
                    }
                    await Task.WhenAny(closedBySwitch, Task.Delay(2000, CancellationToken.None));
                    break;
                default:
                    await Task.WhenAny(closedBySwitch, Task.Delay(50, CancellationToken.None));
                    break;
            }
            socket.Dispose();
            await closedBySwitch;
            Interlocked.Add(ref totals.ReplyFrames, reader.Frames);
        }
    }

    /// <summary>Rounds of many connections opened at once from one source, some sending a little, then all dropped (half reset).</summary>
    public static async Task FloodAsync(IPEndPoint target, string source, int seed, int rounds, int perRound, HostileTotals totals, CancellationToken stop)
    {
        var frames = new HostileInputFrames(seed);
        Random r = frames.Random;
        for (int round = 0; round < rounds && !stop.IsCancellationRequested; round++)
        {
            var opened = new Socket?[perRound];
            await Task.WhenAll(Enumerable.Range(0, perRound).Select(async i =>
            {
                try
                {
                    opened[i] = await ConnectAsync(target, source, stop);
                }
                catch (Exception ex) when (ex is SocketException or OperationCanceledException)
                {
                    Interlocked.Increment(ref totals.RefusedOrReset);
                }
            }));
            byte[] bytes = new byte[HostileInputFrames.MaxFrameBytes + 2];
            foreach (Socket? socket in opened)
            {
                if (socket is null) continue;
                Interlocked.Increment(ref totals.FloodConnections);
                try
                {
                    switch (r.Next(4))
                    {
                        case 0: break; // nothing at all
                        case 1: socket.Send(bytes.AsSpan(0, frames.WriteEnding(bytes, HostileEnding.HalfFrameThenClose))); break;
                        case 2: socket.Send(bytes.AsSpan(0, frames.WriteSurvivable(bytes))); break;
                        default: socket.Send(bytes.AsSpan(0, frames.WriteEnding(bytes, HostileEnding.Garbage))); break;
                    }
                }
                catch (SocketException)
                {
                    // refused by the switch already
                }
            }
            await Task.Delay(r.Next(20, 150), CancellationToken.None);
            foreach (Socket? socket in opened)
            {
                if (socket is null) continue;
                if (r.Next(2) == 0) socket.LingerState = new LingerOption(true, 0); // reset instead of a graceful close
                socket.Dispose();
            }
            await Task.Delay(r.Next(50, 300), CancellationToken.None);
        }
    }

    /// <summary>
    /// Slow peers, three at a time until stopped: a trickle (one byte every 100 ms), half a frame then silence, and a
    /// silent connection. The switch must close each (frame timeout, frame timeout, idle timeout).
    /// </summary>
    public static async Task SlowAsync(IPEndPoint target, string source, int seed, int idleTimeoutMs, HostileTotals totals, CancellationToken stop)
    {
        var frames = new HostileInputFrames(seed);
        byte[] half = new byte[HostileInputFrames.MaxFrameBytes + 2];
        while (!stop.IsCancellationRequested)
        {
            Task<bool>[] sessions =
            [
                SlowSessionAsync(target, source, totals, async s =>
                {
                    byte[] frame = new byte[HostileInputFrames.MaxFrameBytes + 2];
                    int length;
                    do length = frames.WriteSurvivable(frame); while (length < 50);
                    for (int i = 0; i < length; i++)
                    {
                        if (await s.SendAsync(frame.AsMemory(i, 1)) == 0) return;
                        await Task.Delay(100);
                    }
                }, idleTimeoutMs),
                SlowSessionAsync(target, source, totals, async s =>
                {
                    int length = frames.WriteEnding(half, HostileEnding.LyingHeaderThenStall);
                    await s.SendAsync(half.AsMemory(0, length));
                }, idleTimeoutMs),
                SlowSessionAsync(target, source, totals, _ => Task.CompletedTask, idleTimeoutMs),
            ];
            await Task.WhenAll(sessions);
        }
    }

    private static async Task<bool> SlowSessionAsync(IPEndPoint target, string source, HostileTotals totals, Func<Socket, Task> behave, int idleTimeoutMs)
    {
        Socket socket;
        try
        {
            socket = await ConnectAsync(target, source, CancellationToken.None);
        }
        catch (SocketException)
        {
            return false;
        }
        using (socket)
        {
            Interlocked.Increment(ref totals.SlowSessions);
            var reader = new ReplyReader(socket);
            Task<bool> closed = reader.RunAsync();
            try
            {
                await behave(socket);
            }
            catch (SocketException)
            {
                // closed while trickling: what the switch should do
            }
            bool byTheSwitch = await Task.WhenAny(closed, Task.Delay(idleTimeoutMs + 5000)) == closed && closed.Result;
            if (byTheSwitch) Interlocked.Increment(ref totals.SlowClosedBySwitch);
            return byTheSwitch;
        }
    }

    private static async Task<Socket> ConnectAsync(IPEndPoint target, string source, CancellationToken stop)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
            await socket.ConnectAsync(target, stop);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<bool> SendAllAsync(Socket socket, ReadOnlyMemory<byte> bytes)
    {
        try
        {
            while (!bytes.IsEmpty)
            {
                int sent = await socket.SendAsync(bytes, SocketFlags.None);
                if (sent <= 0) return false;
                bytes = bytes[sent..];
            }
            return true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Reads a fuzz connection's replies (counting len2 frames) until it ends; true when the switch closed it.</summary>
    private sealed class ReplyReader(Socket socket)
    {
        public long Frames;

        public async Task<bool> RunAsync()
        {
            byte[] buffer = new byte[64 * 1024];
            int pending = 0; // bytes of the current frame still to skip
            byte[] header = new byte[2];
            int headerHave = 0;
            try
            {
                while (true)
                {
                    int read = await socket.ReceiveAsync(buffer, SocketFlags.None);
                    if (read == 0) return true;
                    int at = 0;
                    while (at < read)
                    {
                        if (pending > 0)
                        {
                            int skip = Math.Min(pending, read - at);
                            pending -= skip;
                            at += skip;
                            continue;
                        }
                        header[headerHave++] = buffer[at++];
                        if (headerHave == 2)
                        {
                            headerHave = 0;
                            pending = BinaryPrimitives.ReadUInt16BigEndian(header);
                            Frames++;
                        }
                    }
                }
            }
            catch (SocketException ex)
            {
                return ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown;
            }
            catch (ObjectDisposedException)
            {
                return false; // we closed it first
            }
        }
    }
}
