using System.Diagnostics;
using System.Net.Sockets;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.LoadTest.Internal;

internal sealed partial class LoadConnection
{
    /// <summary>
    /// One scheduler tick for this connection: expire timed-out requests, build every due request that fits (free
    /// slot, room in the batch) and send the batch with one write. Called only on the scheduler thread.
    /// </summary>
    public void Pump(long now)
    {
        ConnectionState state = _state;
        if (state != ConnectionState.Connected)
        {
            if (state == ConnectionState.Down) PumpWhileDown(now);
            return;
        }

        // Nothing due, nothing to expire: skip the lock (thousands of idle terminals cost a compare each per tick).
        if (now < Volatile.Read(ref _wakeTicks)) return;

        lock (_lock)
        {
            if (now >= _nextSweepTicks) SweepTimeouts(now);
            if (_sendInProgress)
            {
                // The previous batch is still on its way (the socket buffer is full: the target is not reading); due
                // requests wait for the next tick, held by the target.
                if (!_ctx.Options.IsClosedLoop && !_ctx.SendingClosed)
                    _heldBySendUntil = Math.Max(_heldBySendUntil, Math.Min(DueCount(now), ScheduleLength()));
                _wakeTicks = 0;
                return;
            }
            if (!_ctx.SendingClosed)
            {
                if (_ctx.Options.IsClosedLoop) FillClosedLoop(now);
                else FillOpenLoop(now);
            }
            _wakeTicks = NextWakeTicks();
        }

        if (_batch.WrittenCount > 0) StartSend();
    }

    /// <summary>
    /// When this connection next needs the scheduler: its next intended send or the next timeout sweep. An answer that
    /// frees a slot or ends a terminal's wait resets it to 0 (look at the next tick), and so does the end of a send.
    /// </summary>
    private long NextWakeTicks()
    {
        long wake = _nextSweepTicks;
        if (_ctx.SendingClosed) return wake;
        if (_batch.FreeBytes < _ctx.RequestFrameBoundBytes) return 0;
        if (_ctx.Options.IsClosedLoop)
        {
            if (_pending.InFlight == 0) wake = Math.Min(wake, _nextDueTicks);
        }
        else if (!_pending.IsFull && _next < ScheduleLength())
        {
            wake = Math.Min(wake, IntendedTicks(_next));
        }
        return wake;
    }

    /// <summary>The schedule of this connection is over: nothing more is due and nothing is in flight.</summary>
    public bool IsIdleAfterSchedule(long now)
    {
        lock (_lock)
        {
            if (_pending.InFlight > 0 || _sendInProgress) return false;
            if (_ctx.SendingClosed) return true;
            if (_ctx.Options.IsClosedLoop) return _nextDueTicks >= _ctx.EndTicks || now >= _ctx.EndTicks;
            return _next >= ScheduleLength();
        }
    }

    /// <summary>
    /// At the end: counts the due requests that were never sent and the requests still in flight (as timeouts). Each
    /// counts in the latency figures from its intended send time to now (a lower bound).
    /// </summary>
    public void Finish(long now)
    {
        lock (_lock)
        {
            RecordNotConnected(now);
            if (!_ctx.Options.IsClosedLoop)
            {
                long end = ScheduleLength();
                if (end > _next)
                {
                    Counters.AddError(LoadErrorKind.Unsent, end - _next);
                    for (; _next < end; _next++) RecordUnsentLatency(_next, now);
                }
            }
            for (int slot = 0; slot < _pending.Capacity; slot++)
            {
                if (!_pending.IsInFlight(slot)) continue;
                ExpireSlot(slot, now);
            }
        }
    }

    private void PumpWhileDown(long now)
    {
        lock (_lock)
        {
            if (!_ctx.Options.IsClosedLoop && !_ctx.SendingClosed)
            {
                // Requests due while the connection is down are never sent; their latency is recorded when it is back.
                long due = Math.Min(DueCount(now), ScheduleLength());
                if (due > _next)
                {
                    Counters.AddError(LoadErrorKind.NotConnected, due - _next);
                    if (_notConnectedFrom < 0) _notConnectedFrom = _next;
                    _next = due;
                    _notConnectedUntil = due;
                }
            }
            if (now < _reconnectAtTicks || _ctx.SendingClosed || _ctx.Stopping) return;
            _state = ConnectionState.Connecting;
        }
        _ = ConnectAsync(CancellationToken.None);
    }

    /// <summary>
    /// Records the latency of the requests that came due while the connection was down, from their intended send time
    /// to <paramref name="now"/> (the connection is back, or the run is over): they could not go out before. Under the lock.
    /// </summary>
    private void RecordNotConnected(long now)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "the outage range belongs to the lock");
        if (_notConnectedFrom < 0) return;
        for (long k = _notConnectedFrom; k < _notConnectedUntil; k++) RecordUnsentLatency(k, now);
        _notConnectedFrom = -1;
    }

    private void RecordUnsentLatency(long k, long now)
    {
        long intended = IntendedTicks(k);
        _ctx.RecordLatency(intended >= _ctx.WarmupEndTicks, RunContext.ToMicros(now - intended));
    }

    /// <summary>Number of this connection's requests intended at or before <paramref name="now"/>.</summary>
    private long DueCount(long now)
    {
        double x = ((now - _ctx.StartTicks) / _ctx.TicksPerRequest) - Index;
        return x < 0 ? 0 : (long)(x / _ctx.Options.Connections) + 1;
    }

    /// <summary>Number of this connection's requests intended before the end of the schedule.</summary>
    private long ScheduleLength()
    {
        double x = ((_ctx.EndTicks - _ctx.StartTicks) / _ctx.TicksPerRequest) - Index;
        return x <= 0 ? 0 : (long)Math.Ceiling(x / _ctx.Options.Connections);
    }

    private long IntendedTicks(long k) => _ctx.StartTicks + (long)(((k * _ctx.Options.Connections) + Index) * _ctx.TicksPerRequest);

    private void FillOpenLoop(long now)
    {
        long due = Math.Min(DueCount(now), ScheduleLength());
        while (_next < due)
        {
            if (_batch.FreeBytes < _ctx.RequestFrameBoundBytes) return; // the rest goes in the next batch
            if (_pending.IsFull)
            {
                // Bound reached: due requests wait for a free slot; each is counted once as backlogged and its
                // latency keeps counting from its intended time.
                long from = Math.Max(_next, _backlogCountedUntil);
                if (due > from) Counters.Backlogged += due - from;
                _backlogCountedUntil = due;
                return;
            }
            long intended = IntendedTicks(_next);
            BuildRequest(intended, now, heldByTarget: _next < _backlogCountedUntil || _next < _heldBySendUntil);
            _next++;
        }
    }

    private void FillClosedLoop(long now)
    {
        if (_pending.InFlight > 0 || now < _nextDueTicks || _nextDueTicks >= _ctx.EndTicks) return;
        if (_batch.FreeBytes < _ctx.RequestFrameBoundBytes) return;
        long intended = _nextDueTicks;
        _nextDueTicks = long.MaxValue; // set again when the answer arrives
        BuildRequest(intended, now, heldByTarget: false);
    }

    /// <summary>Starts the closed loop of a terminal: its first request is due at <paramref name="firstDueTicks"/>.</summary>
    public void StartClosedLoop(long firstDueTicks) => _nextDueTicks = firstDueTicks;

    /// <summary>
    /// Builds one request into the batch. <paramref name="heldByTarget"/> says it was held back by the in-flight bound
    /// or by a send the target had not taken up: its delay is then the target's doing, not the scheduler's, and stays
    /// out of the scheduler-lag figures.
    /// </summary>
    private void BuildRequest(long intended, long now, bool heldByTarget)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "building touches the pending table");
        RunContext ctx = _ctx;
        TransactionMix mix = ctx.Mix;
        TransactionDraw draw = mix.Draw(ref _random);
        int originalMti = 0;
        if (draw.Reversal)
        {
            if (_approved is null || !_approved.TryTake(_reversalScratch, out originalMti))
            {
                Counters.ReversalsUnavailable++;
                draw = mix.DrawKnown(ref _random);
            }
        }

        bool ok = _pending.TryAllocate(out int slot, out int stan);
        Debug.Assert(ok, "the caller checked for a free slot");
        Span<byte> record = _pending.Record(slot);
        ref PendingRequest request = ref _pending[slot];
        IsoMessageBuilder builder = ctx.Builder;
        WallClockFields clock = ctx.Clock;
        ulong fields;

        if (draw.Reversal)
        {
            // 0420: the original's DE2, 3, 4, 32, 37, 41, 42, 49; a new DE7 and STAN; DE90 = original data elements.
            ReadOnlySpan<byte> original = _reversalScratch;
            builder.Reset(Mti.ReversalAdvice);
            fields = 0;
            ReadOnlySpan<byte> copied = [2, 3, 4, 32, 37, 41, 42, 49];
            foreach (byte f in copied)
            {
                ReadOnlySpan<byte> value = TransactionRecord.Get(original, f);
                TransactionRecord.Set(record, f, value);
                builder.SetAscii(f, value);
                fields |= TransactionRecord.Bit(f);
            }
            TransactionRecord.Set(record, 7, clock.TransmissionDateTime);
            builder.SetAscii(7, clock.TransmissionDateTime);
            Span<byte> stanDigits = TransactionRecord.Reserve(record, 11, 6);
            AsciiDigits.Write(stanDigits, stan);
            builder.SetAscii(11, stanDigits);
            fields |= TransactionRecord.Bit(7) | TransactionRecord.Bit(11);

            Span<byte> de90 = stackalloc byte[42];
            AsciiDigits.Write(de90[..4], originalMti);
            TransactionRecord.Get(original, 11).CopyTo(de90.Slice(4, 6));
            TransactionRecord.Get(original, 7).CopyTo(de90.Slice(10, 10));
            AsciiDigits.WritePadded(de90.Slice(20, 11), TransactionRecord.Get(original, 32));
            de90[31..].Fill((byte)'0');
            builder.SetAscii(90, de90);
            request.RequestMti = Mti.ReversalAdvice;
            request.Expectation = ResponseExpectation.AnyValid;
            Counters.ReversalsSent++;
        }
        else
        {
            builder.Reset(draw.Mti);
            Span<byte> pan = TransactionRecord.Reserve(record, 2, mix.PanLength);
            mix.WritePan(pan, draw.Bin, ref _random);
            builder.SetAscii(2, pan);
            TransactionRecord.Set(record, 3, "000000"u8);
            builder.SetAscii(3, "000000"u8);
            Span<byte> amount = TransactionRecord.Reserve(record, 4, 12);
            AsciiDigits.Write(amount, mix.NextAmount(ref _random));
            builder.SetAscii(4, amount);
            TransactionRecord.Set(record, 7, clock.TransmissionDateTime);
            builder.SetAscii(7, clock.TransmissionDateTime);
            Span<byte> stanDigits = TransactionRecord.Reserve(record, 11, 6);
            AsciiDigits.Write(stanDigits, stan);
            builder.SetAscii(11, stanDigits);
            TransactionRecord.Set(record, 12, clock.LocalTime);
            builder.SetAscii(12, clock.LocalTime);
            TransactionRecord.Set(record, 13, clock.LocalDate);
            builder.SetAscii(13, clock.LocalDate);
            builder.SetAscii(14, "3012"u8);
            builder.SetAscii(18, "5999"u8);
            builder.SetAscii(22, "010"u8);
            TransactionRecord.Set(record, 32, mix.AcquirerId);
            builder.SetAscii(32, mix.AcquirerId);
            Span<byte> rrn = TransactionRecord.Reserve(record, 37, 12);
            AsciiDigits.Write(rrn[..4], Index % 10_000);
            AsciiDigits.Write(rrn[4..], _rrnCounter++ % 100_000_000);
            builder.SetAscii(37, rrn);
            // Unique to this connection (see TerminalId): no two connections send the same (DE41, DE11, DE7).
            TerminalId.Write(_terminalId, _ctx.Options.Mode, Index, _rrnCounter);
            TransactionRecord.Set(record, 41, _terminalId);
            builder.SetAscii(41, _terminalId);
            TransactionRecord.Set(record, 42, _merchantId);
            builder.SetAscii(42, _merchantId);
            TransactionRecord.Set(record, 49, mix.Currency);
            builder.SetAscii(49, mix.Currency);
            fields = TransactionRecord.Bit(2) | TransactionRecord.Bit(3) | TransactionRecord.Bit(4) | TransactionRecord.Bit(7)
                | TransactionRecord.Bit(11) | TransactionRecord.Bit(12) | TransactionRecord.Bit(13) | TransactionRecord.Bit(32)
                | TransactionRecord.Bit(37) | TransactionRecord.Bit(41) | TransactionRecord.Bit(42) | TransactionRecord.Bit(49);
            request.RequestMti = draw.Mti;
            request.Expectation = draw.Expectation;
        }

        request.SentFields = fields;
        request.IntendedTicks = intended;
        request.SentTicks = now;
        request.Measured = intended >= ctx.WarmupEndTicks;
        builder.WriteFrame(_batch, ctx.Framing, ctx.Tpdu);

        Counters.Sent++;
        if (request.Measured)
        {
            Counters.MeasuredSent++;
            Counters.MeasuredSendAt(now);
        }
        if (!heldByTarget && request.Measured) ctx.SchedulerLag.Record(RunContext.ToMicros(now - intended));
        if (_nextSweepTicks == long.MaxValue) _nextSweepTicks = now + ctx.TimeoutTicks;
    }

    /// <summary>Expires every request older than the timeout; schedules the next sweep for when the oldest one left would expire.</summary>
    private void SweepTimeouts(long now)
    {
        long oldestSent = long.MaxValue;
        long timeout = _ctx.TimeoutTicks;
        for (int slot = 0; slot < _pending.Capacity; slot++)
        {
            if (!_pending.IsInFlight(slot)) continue;
            long sent = _pending[slot].SentTicks;
            if (now - sent >= timeout) ExpireSlot(slot, now);
            else if (sent < oldestSent) oldestSent = sent;
        }
        _nextSweepTicks = oldestSent == long.MaxValue ? long.MaxValue : oldestSent + timeout;
    }

    private void ExpireSlot(int slot, long now)
    {
        ref PendingRequest request = ref _pending[slot];
        // A timed-out request still counts in the latency figures, at the time it was given up (a lower bound).
        _ctx.RecordLatency(request.Measured, RunContext.ToMicros(now - request.IntendedTicks));
        Counters.AddError(LoadErrorKind.Timeout);
        _pending.FreeTimedOut(slot);
        if (_ctx.Options.IsClosedLoop) _nextDueTicks = now + _ctx.ThinkTicks;
    }

    private void StartSend()
    {
        Socket? socket = _socket;
        int generation = _socketGeneration;
        if (socket is null)
        {
            _batch.Clear();
            return;
        }

        ValueTask<int> send;
        try
        {
            send = socket.SendAsync(_batch.WrittenMemory, SocketFlags.None);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            _batch.Clear();
            OnBroken(generation, LoadErrorKind.ConnectionClosed, "send failed: " + ex.Message);
            return;
        }

        int alreadySent = -1;
        if (send.IsCompletedSuccessfully)
        {
            alreadySent = send.Result;
            if (alreadySent == _batch.WrittenCount)
            {
                _batch.Clear();
                return;
            }
        }

        _sendInProgress = true;
        _ = FinishSendAsync(send, alreadySent, socket, generation);
    }

    /// <summary>
    /// Completes a send that did not finish synchronously (the socket buffer was full) or sent only part of the batch;
    /// rare, so it may allocate. <paramref name="alreadySent"/> is the byte count when <paramref name="send"/> was
    /// already consumed, else -1.
    /// </summary>
    private async Task FinishSendAsync(ValueTask<int> send, int alreadySent, Socket socket, int generation)
    {
        try
        {
            int total = _batch.WrittenCount;
            int sent = alreadySent >= 0 ? alreadySent : await send.ConfigureAwait(false);
            while (sent < total)
            {
                int more = await socket.SendAsync(_batch.WrittenMemory[sent..], SocketFlags.None).ConfigureAwait(false);
                if (more <= 0) throw new SocketException((int)SocketError.ConnectionReset);
                sent += more;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            OnBroken(generation, LoadErrorKind.ConnectionClosed, "send failed: " + ex.Message);
        }
        finally
        {
            _batch.Clear();
            _sendInProgress = false;
            Volatile.Write(ref _wakeTicks, 0);
        }
    }
}
