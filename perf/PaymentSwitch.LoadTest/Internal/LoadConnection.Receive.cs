using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.LoadTest.Internal;

internal sealed partial class LoadConnection
{
    /// <summary>
    /// Reads answers into the connection's one receive buffer, and checks every complete frame of each read under one
    /// take of the lock. All answers of one read share one timestamp.
    /// </summary>
    private async Task ReceiveLoopAsync(Socket socket, int generation)
    {
        byte[] buffer = _receiveBuffer;
        int start = 0, end = 0;
        int room = _ctx.MaxFrameTotalBytes;
        try
        {
            while (true)
            {
                if (buffer.Length - end < room && start > 0)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }
                Debug.Assert(buffer.Length - end >= room, "the buffer holds at least two maximal frames, so a partial one leaves room for the rest");

                int read = await socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None).ConfigureAwait(false);
                if (read == 0)
                {
                    OnBroken(generation, LoadErrorKind.ConnectionClosed, "closed by the peer");
                    return;
                }
                end += read;
                long now = Stopwatch.GetTimestamp();
                int consumed;
                FrameStatus status;
                lock (_lock)
                {
                    consumed = ProcessFrames(buffer, start, end - start, now, out status);
                }
                if (status is FrameStatus.TooLarge or FrameStatus.InvalidHeader)
                {
                    OnBroken(generation, LoadErrorKind.BadFrame, status == FrameStatus.TooLarge
                        ? $"a frame header announces more than {_ctx.Framing.MaxFrameBytes} bytes"
                        : "a frame header is not valid");
                    return;
                }
                start += consumed;
                if (start == end) start = end = 0;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            OnBroken(generation, LoadErrorKind.ConnectionClosed, "receive failed: " + ex.Message);
        }
        catch (Exception ex)
        {
            // A harness bug must not pass silently as a quiet connection: count it and show it.
            OnBroken(generation, LoadErrorKind.ConnectionClosed, "harness failure while reading answers: " + ex);
        }
    }

    /// <summary>Handles every complete frame in the bytes; returns how many bytes it consumed.</summary>
    private int ProcessFrames(byte[] buffer, int offset, int length, long now, out FrameStatus status)
    {
        var sequence = new ReadOnlySequence<byte>(buffer, offset, length);
        while (true)
        {
            status = _ctx.Framing.TryReadFrame(ref sequence, out ReadOnlySequence<byte> message, out _, out _);
            if (status != FrameStatus.Complete) break;
            if (message.Length == 0) continue; // keep-alive
            Debug.Assert(message.IsSingleSegment, "frames come from one array");
            HandleAnswer(message.First, now);
        }
        int consumed = length - (int)sequence.Length;
        if (consumed > 0) Volatile.Write(ref _wakeTicks, 0); // slots were freed or a terminal may go again
        return consumed;
    }

    private void HandleAnswer(ReadOnlyMemory<byte> bytes, long now)
    {
        IsoMessage answer = _answer;
        if (!answer.TryParse(bytes, _ctx.Dialect, out ParseError parseError))
        {
            Counters.AddError(LoadErrorKind.ParseError);
            if (!_ctx.Samples.IsFull) Sample(LoadErrorKind.ParseError, parseError.ToString());
            return;
        }
        if (!answer.TryGetInt64(11, out long stan))
        {
            Counters.AddError(LoadErrorKind.UnknownStan);
            if (!_ctx.Samples.IsFull) Sample(LoadErrorKind.UnknownStan, $"MTI {Mti.ToText(answer.Mti)} answer without DE11");
            return;
        }
        int slot = _pending.Find(stan);
        if (slot < 0)
        {
            if (_pending.IsTimedOut(stan))
            {
                Counters.LateAnswers++;
                return;
            }
            Counters.AddError(LoadErrorKind.UnknownStan);
            if (!_ctx.Samples.IsFull) Sample(LoadErrorKind.UnknownStan, $"MTI {Mti.ToText(answer.Mti)} answer with STAN {stan:D6}, which matches no request in flight");
            return;
        }

        ref PendingRequest request = ref _pending[slot];
        _ctx.RecordLatency(request.Measured, RunContext.ToMicros(now - request.IntendedTicks));
        if (request.Measured)
        {
            _ctx.MeasuredServiceTime.Record(RunContext.ToMicros(now - request.SentTicks));
            Counters.MeasuredAnswered++;
            Counters.MeasuredAnswerAt(now);
        }
        Counters.Answered++;

        ReadOnlySpan<byte> record = _pending.Record(slot);
        LoadErrorKind? problem = Check(answer, in request, record, out int field, out int code);
        if (problem is LoadErrorKind kind)
        {
            Counters.AddError(kind);
            if (!_ctx.Samples.IsFull) Sample(kind, Describe(kind, answer, in request, record, field));
        }
        else
        {
            Counters.Ok++;
            if (request.Measured) Counters.MeasuredOk++;
            if (code == ResponseCodes.Approved && _approved is not null && request.RequestMti != Mti.ReversalAdvice)
                _approved.Add(request.RequestMti, record);
        }

        _pending.Free(slot);
        if (_ctx.Options.IsClosedLoop) _nextDueTicks = now + _ctx.ThinkTicks;
    }

    /// <summary>Checks an answer against its request: MTI, echoed fields, DE39 valid and as expected. Null when all is well.</summary>
    private LoadErrorKind? Check(IsoMessage answer, in PendingRequest request, ReadOnlySpan<byte> record, out int field, out int code)
    {
        field = 0;
        code = -1;
        if (answer.Mti != Mti.ResponseOf(request.RequestMti)) return LoadErrorKind.UnexpectedMti;

        Span<byte> scratch = stackalloc byte[32];
        foreach (byte f in TransactionRecord.EchoedFields)
        {
            if ((request.SentFields & TransactionRecord.Bit(f)) == 0) continue;
            field = f;
            if (!answer.Has(f)) return LoadErrorKind.MissingField;
            if (!answer.TryGetAscii(f, scratch, out ReadOnlySpan<byte> echoed) || !echoed.SequenceEqual(TransactionRecord.Get(record, f)))
                return LoadErrorKind.FieldMismatch;
        }

        field = 39;
        if (!answer.TryGetAscii(39, scratch, out ReadOnlySpan<byte> de39)) return LoadErrorKind.MissingField;
        code = ResponseCodes.Parse(de39);
        if (code >= 0) Counters.ResponseCodes[code]++;
        else Counters.OtherResponseCodes++;
        if (!ResponseCodes.IsValid(code)) return LoadErrorKind.InvalidResponseCode;
        if (ResponseCodes.IsSystemFailure(code) && !_ctx.Options.AcceptSystemFailureCodes) return LoadErrorKind.SystemFailureAnswer;
        return request.Expectation switch
        {
            ResponseExpectation.NoSuchIssuer when code != ResponseCodes.NoSuchIssuer => LoadErrorKind.UnexpectedResponseCode,
            ResponseExpectation.KnownIssuer when code == ResponseCodes.NoSuchIssuer => LoadErrorKind.UnexpectedResponseCode,
            _ => null,
        };
    }

    /// <summary>Words for an error sample (cold path). Never shows DE2: only echoed, non-sensitive fields are compared.</summary>
    private static string Describe(LoadErrorKind kind, IsoMessage answer, in PendingRequest request, ReadOnlySpan<byte> record, int field)
    {
        string stan = System.Text.Encoding.ASCII.GetString(TransactionRecord.Get(record, 11));
        string what = $"{Mti.ToText(request.RequestMti)} STAN {stan}";
        switch (kind)
        {
            case LoadErrorKind.UnexpectedMti:
                return $"{what} answered with MTI {Mti.ToText(answer.Mti)}, expected {Mti.ToText(Mti.ResponseOf(request.RequestMti))}";
            case LoadErrorKind.MissingField:
                return $"{what} answered without DE{field}";
            case LoadErrorKind.FieldMismatch:
                string sent = System.Text.Encoding.ASCII.GetString(TransactionRecord.Get(record, field));
                string got = answer.TryGetString(field, out string? s) ? s : "?";
                return $"{what}: DE{field} echoed as '{got}', sent '{sent}'";
            case LoadErrorKind.InvalidResponseCode:
            case LoadErrorKind.UnexpectedResponseCode:
                string code = answer.TryGetString(39, out string? c) ? c : "?";
                string expected = request.Expectation == ResponseExpectation.NoSuchIssuer ? "15 (unknown BIN)" : "a valid code other than 15";
                return $"{what}: DE39 '{code}', expected {expected}";
            case LoadErrorKind.SystemFailureAnswer:
                string failure = answer.TryGetString(39, out string? f) ? f : "?";
                return $"{what}: DE39 '{failure}', a system failure answer (91 issuer unavailable, timed out or shed; 96 system malfunction)";
            default:
                return what;
        }
    }
}
