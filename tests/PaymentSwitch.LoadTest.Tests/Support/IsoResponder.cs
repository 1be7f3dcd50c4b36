using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.LoadTest.Tests.Support;

/// <summary>
/// A small real ISO 8583 server on 127.0.0.1 that answers like the switch (0100→0110, 0200→0210, 0420→0430, echoing
/// DE 3, 4, 7, 11, 12, 13, 32, 37, 41, 42, 49, DE39 00 for known BINs and 15 for others), with switches to misbehave.
/// It also checks what it receives (Luhn-valid PANs, DE90 of reversals) and how many requests each connection has in
/// flight at once.
/// </summary>
public sealed class IsoResponder : IAsyncDisposable
{
    private static readonly byte[] Echoed = [3, 4, 7, 11, 12, 13, 32, 37, 41, 42, 49];

    private readonly Dialect _dialect;
    private readonly Framing _framing;
    private readonly ResponderBehaviour _behaviour;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Socket> _sockets = [];
    private readonly ConcurrentBag<Task> _connections = [];
    private readonly ConcurrentDictionary<long, byte> _approved = new();
    private readonly bool _trackApprovals;
    private Task _acceptLoop = Task.CompletedTask;
    private long _requests;
    private long _answers;
    private long _stallUntilTicks;
    private long _luhnFailures;
    private long _unknownBinRequests;
    private long _repeatedKeys;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Acquirer, string Terminal, string Stan, string Time), byte> _keys = new();
    private long _reversalsValid;
    private long _reversalsInvalid;
    private long _accepted;
    private int _maxInFlightPerConnection;
    private long _authorisations;
    private long _financials;

    public IsoResponder(Dialect dialect, Framing framing, ResponderBehaviour? behaviour = null, bool trackApprovals = true)
    {
        _dialect = dialect;
        _framing = framing;
        _behaviour = behaviour ?? new ResponderBehaviour();
        _trackApprovals = trackApprovals;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(512);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }

    /// <summary>Unexpected exceptions of the responder itself (a test bug, not a harness finding).</summary>
    public ConcurrentBag<string> Failures { get; } = [];

    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Answers written to the sockets.</summary>
    public long Answers => Interlocked.Read(ref _answers);
    public long Authorisations => Interlocked.Read(ref _authorisations);
    public long Financials => Interlocked.Read(ref _financials);
    public long LuhnFailures => Interlocked.Read(ref _luhnFailures);
    public long UnknownBinRequests => Interlocked.Read(ref _unknownBinRequests);

    /// <summary>New transactions whose identity (DE32, DE41, DE11, DE7) an earlier request already had: a switch would answer them as repeats.</summary>
    public long RepeatedKeys => Interlocked.Read(ref _repeatedKeys);
    public long ReversalsWithValidDe90 => Interlocked.Read(ref _reversalsValid);
    public long ReversalsWithInvalidDe90 => Interlocked.Read(ref _reversalsInvalid);
    public long ConnectionsAccepted => Interlocked.Read(ref _accepted);

    /// <summary>Most requests one connection had received and not yet answered, at any moment.</summary>
    public int MaxInFlightPerConnection => Volatile.Read(ref _maxInFlightPerConnection);

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            socket.NoDelay = true;
            if (_behaviour.ReceiveBufferBytes > 0) socket.ReceiveBufferSize = _behaviour.ReceiveBufferBytes;
            Interlocked.Increment(ref _accepted);
            _sockets.Add(socket);
            _connections.Add(Task.Run(() => ServeAsync(socket)));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        byte[] buffer = new byte[256 * 1024];
        int start = 0, end = 0;
        var replies = new ArrayBufferWriter<byte>(64 * 1024);
        var request = new IsoMessage();
        var builder = new IsoMessageBuilder(_dialect);
        int perConnection = 0;
        var inFlight = new StrongBox<int>();
        Channel<(long DueTicks, byte[] Frame)>? delayed = null;
        Task writer = Task.CompletedTask;
        // Answers paced to at most AnswersPerSecond on this connection leave one interval apart at the earliest.
        long answerInterval = _behaviour.AnswersPerSecond > 0 ? Stopwatch.Frequency / _behaviour.AnswersPerSecond : 0;
        long lastDue = 0;
        if (_behaviour.AnswerDelayMs > 0 || answerInterval > 0)
        {
            delayed = Channel.CreateUnbounded<(long, byte[])>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            writer = WriteDelayedAsync(socket, delayed.Reader, inFlight);
        }

        try
        {
            while (true)
            {
                if (end == buffer.Length)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }
                int read = await socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, _stop.Token);
                if (read == 0) return;
                end += read;

                var sequence = new ReadOnlySequence<byte>(buffer, start, end - start);
                int answered = 0;
                while (_framing.TryReadFrame(ref sequence, out ReadOnlySequence<byte> frame, out Tpdu tpdu, out _) == FrameStatus.Complete)
                {
                    perConnection++;
                    long total = Interlocked.Increment(ref _requests);
                    if (_behaviour.CloseAfterRequests > 0 && perConnection == _behaviour.CloseAfterRequests)
                    {
                        socket.Close();
                        return;
                    }
                    if (_behaviour.StallAtRequest > 0 && total == _behaviour.StallAtRequest)
                        Volatile.Write(ref _stallUntilTicks, Stopwatch.GetTimestamp() + (_behaviour.StallMs * Stopwatch.Frequency / 1000));

                    int now = Interlocked.Increment(ref inFlight.Value);
                    UpdateMax(now);
                    if (!request.TryParse(frame.First, _dialect, out _)) continue;
                    Inspect(request);
                    if (_behaviour.Silent) continue;

                    if (delayed is null)
                    {
                        BuildAnswer(request, builder).WriteFrame(replies, _framing, tpdu.ForReply());
                        answered++;
                    }
                    else
                    {
                        var one = new ArrayBufferWriter<byte>(512);
                        BuildAnswer(request, builder).WriteFrame(one, _framing, tpdu.ForReply());
                        long due = Math.Max(Stopwatch.GetTimestamp() + (_behaviour.AnswerDelayMs * Stopwatch.Frequency / 1000), lastDue + answerInterval);
                        lastDue = due;
                        await delayed.Writer.WriteAsync((due, one.WrittenSpan.ToArray()));
                    }
                }
                start = end - (int)sequence.Length;
                if (start == end) start = end = 0;

                long stallWait = Volatile.Read(ref _stallUntilTicks) - Stopwatch.GetTimestamp();
                if (stallWait > 0) await Task.Delay(TimeSpan.FromSeconds((double)stallWait / Stopwatch.Frequency), _stop.Token);
                if (replies.WrittenCount > 0)
                {
                    await socket.SendAsync(replies.WrittenMemory, SocketFlags.None, _stop.Token);
                    replies.ResetWrittenCount();
                    Interlocked.Add(ref inFlight.Value, -answered);
                    Interlocked.Add(ref _answers, answered);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // closed by the harness or by Dispose
        }
        catch (Exception ex)
        {
            Failures.Add(ex.ToString());
        }
        finally
        {
            delayed?.Writer.TryComplete();
            await writer;
            socket.Dispose();
        }
    }

    private async Task WriteDelayedAsync(Socket socket, ChannelReader<(long DueTicks, byte[] Frame)> reader, StrongBox<int> inFlight)
    {
        try
        {
            await foreach ((long due, byte[] frame) in reader.ReadAllAsync(_stop.Token))
            {
                long wait = due - Stopwatch.GetTimestamp();
                if (wait > 0) await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), _stop.Token);
                Interlocked.Decrement(ref inFlight.Value);
                await socket.SendAsync(frame, SocketFlags.None, _stop.Token);
                Interlocked.Increment(ref _answers);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // connection gone
        }
    }

    private void UpdateMax(int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref _maxInFlightPerConnection)))
        {
            if (Interlocked.CompareExchange(ref _maxInFlightPerConnection, value, seen) == seen) return;
        }
    }

    private void Inspect(IsoMessage request)
    {
        if (request.Mti == Mti.AuthorisationRequest) Interlocked.Increment(ref _authorisations);
        if (request.Mti == Mti.FinancialRequest) Interlocked.Increment(ref _financials);
        Span<byte> scratch = stackalloc byte[64];
        if (request.TryGetAscii(2, scratch, out ReadOnlySpan<byte> pan))
        {
            if (!IsLuhnValid(pan)) Interlocked.Increment(ref _luhnFailures);
            if (request.Mti != Mti.ReversalAdvice && !IsKnown(pan)) Interlocked.Increment(ref _unknownBinRequests);
        }
        if (request.Mti != Mti.ReversalAdvice && request.TryGetString(32, out string? de32) && request.TryGetString(41, out string? de41)
            && request.TryGetString(11, out string? de11) && request.TryGetString(7, out string? de7) && !_keys.TryAdd((de32, de41, de11, de7), 0))
            Interlocked.Increment(ref _repeatedKeys);
        if (request.Mti == Mti.ReversalAdvice)
        {
            bool valid = request.TryGetAscii(90, scratch, out ReadOnlySpan<byte> de90) && IsValidDe90(de90, request);
            Interlocked.Increment(ref valid ? ref _reversalsValid : ref _reversalsInvalid);
        }
    }

    private bool IsValidDe90(ReadOnlySpan<byte> de90, IsoMessage reversal)
    {
        if (de90.Length != 42) return false;
        ReadOnlySpan<byte> originalMti = de90[..4];
        if (!originalMti.SequenceEqual("0100"u8) && !originalMti.SequenceEqual("0200"u8)) return false;
        Span<byte> de32 = stackalloc byte[11];
        if (!reversal.TryGetAscii(32, stackalloc byte[16], out ReadOnlySpan<byte> acquirer)) return false;
        de32.Fill((byte)'0');
        acquirer.CopyTo(de32[(11 - acquirer.Length)..]);
        if (!de90.Slice(20, 11).SequenceEqual(de32)) return false;
        if (de90[31..].IndexOfAnyExcept((byte)'0') >= 0) return false;
        return !_trackApprovals || _approved.ContainsKey(ApprovalKey(de90.Slice(4, 6), de90.Slice(10, 10)));
    }

    private IsoMessageBuilder BuildAnswer(IsoMessage request, IsoMessageBuilder builder)
    {
        int mti = Mti.ResponseOf(request.Mti);
        if (_behaviour.WrongMti) mti = mti == Mti.FinancialResponse ? Mti.AuthorisationResponse : mti == Mti.AuthorisationResponse ? Mti.FinancialResponse : Mti.ReversalResponse;
        builder.Reset(mti);
        foreach (byte field in Echoed)
        {
            if (field == _behaviour.DropField) continue;
            builder.TryCopy(request, field);
        }
        if (_behaviour.WrongStan && request.TryGetInt64(11, out long stan)) builder.SetNumber(11, (stan + 500_000) % 1_000_000);
        if (_behaviour.AlterField != 0 && builder.Has(_behaviour.AlterField))
        {
            Span<byte> value = stackalloc byte[64];
            ReadOnlySpan<byte> current = builder.Get(_behaviour.AlterField);
            current.CopyTo(value);
            value[current.Length - 1] = (byte)(value[current.Length - 1] == (byte)'1' ? '2' : '1');
            builder.SetAscii(_behaviour.AlterField, value[..current.Length]);
        }

        string? code = _behaviour.ResponseCode;
        Span<byte> scratch = stackalloc byte[32];
        bool known = request.TryGetAscii(2, scratch, out ReadOnlySpan<byte> pan) && IsKnown(pan);
        ReadOnlySpan<byte> de39 = code is not null ? System.Text.Encoding.ASCII.GetBytes(code)
            : request.Mti == Mti.ReversalAdvice || known ? "00"u8 : "15"u8;
        builder.SetAscii(39, de39);
        if (_trackApprovals && de39.SequenceEqual("00"u8) && request.Mti != Mti.ReversalAdvice
            && request.TryGetAscii(11, scratch, out ReadOnlySpan<byte> s11) && s11.Length == 6)
        {
            Span<byte> de7 = stackalloc byte[10];
            if (request.TryGetAscii(7, de7, out ReadOnlySpan<byte> d7)) _approved.TryAdd(ApprovalKey(s11, d7), 0);
        }
        return builder;
    }

    private static long ApprovalKey(ReadOnlySpan<byte> stan, ReadOnlySpan<byte> de7)
    {
        long key = 0;
        foreach (byte b in stan) key = (key * 10) + (b - '0');
        foreach (byte b in de7) key = (key * 10) + (b - '0');
        return key;
    }

    private bool IsKnown(ReadOnlySpan<byte> pan)
    {
        foreach (string bin in _behaviour.KnownBins)
        {
            if (pan.Length < bin.Length) continue;
            bool match = true;
            for (int i = 0; i < bin.Length && match; i++) match = pan[i] == bin[i];
            if (match) return true;
        }
        return false;
    }

    private static bool IsLuhnValid(ReadOnlySpan<byte> digits)
    {
        int sum = 0;
        bool doubleIt = false;
        for (int i = digits.Length - 1; i >= 0; i--)
        {
            int d = digits[i] - '0';
            if ((uint)d > 9) return false;
            if (doubleIt)
            {
                d *= 2;
                if (d > 9) d -= 9;
            }
            sum += d;
            doubleIt = !doubleIt;
        }
        return digits.Length >= 12 && sum % 10 == 0;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        foreach (Socket s in _sockets)
        {
            try
            {
                s.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // already closed
            }
            s.Dispose();
        }
        await _acceptLoop;
        await Task.WhenAll(_connections);
        _stop.Dispose();
    }

    private sealed class StrongBox<T>
    {
        public T Value = default!;
    }
}
