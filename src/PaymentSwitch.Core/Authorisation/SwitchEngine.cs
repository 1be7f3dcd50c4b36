using System.Buffers;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PaymentSwitch.Core.Acquiring;
using PaymentSwitch.Core.Durability;
using PaymentSwitch.Core.Issuers;
using PaymentSwitch.Core.Issuers.Internal;
using PaymentSwitch.Core.Logging;
using PaymentSwitch.Core.Reversals;
using PaymentSwitch.Core.Routing;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Core.Authorisation;

/// <summary>
/// The authorisation pipeline: takes each frame an acquirer sends, checks it, routes it by BIN, journals it, sends it
/// to the issuer, and returns the issuer's answer (or the timeout, or its own decline) to the connection it came on.
/// It also owns the reversals the switch owes issuers (money-safety rule 3) and sends them until answered.
/// </summary>
/// <remarks>
/// Everything on the way is synchronous until a journal write or the issuer has to be waited for; those waits resume
/// through delegates cached on the pooled <see cref="Transaction"/>, so the steady state allocates nothing.
/// </remarks>
public sealed partial class SwitchEngine : IAsyncDisposable
{
    private readonly BinRouter _router;
    private readonly IssuerDirectory _issuers;
    private readonly ITransactionJournal _journal;
    private readonly TransactionPool _pool;
    private readonly SwitchCounters _counters;
    private readonly ReversalQueue _reversals = new();
    private readonly RecentTransactions _recent;
    private readonly ILogger _log;
    private readonly byte[] _institutionId;
    private readonly Thread _ticker;
    private readonly Action<Transaction> _onExpired;
    private readonly Func<Transaction, ValueTask<long>> _recordForwarded;
    private readonly Func<Transaction, ValueTask<long>> _recordOutcome;
    private readonly Action<Transaction> _afterForwarded;
    private readonly Action<Transaction> _afterOutcome;
    private volatile bool _stopping;
    private volatile bool _draining;
    private readonly InFlightHorizon _inFlightHorizon;

    /// <summary>How far back retention keeps records for requests still in flight: the longest issuer timeout plus a minute for the Forwarded write.</summary>
    private static long InFlightLagTicks(IssuerDirectory issuers)
    {
        long longest = 0;
        foreach (IssuerLink link in issuers.All) longest = Math.Max(longest, link.TimeoutTicks);
        return longest + (60 * Stopwatch.Frequency);
    }

    [ThreadStatic] private static IsoMessageBuilder? t_builder;
    [ThreadStatic] private static IsoMessage? t_scratchMessage;

    public SwitchEngine(BinRouter router, IssuerDirectory issuers, ITransactionJournal journal, string institutionId, int maxInFlight, ILogger logger,
        int recentCapacity = 131_072, TimeSpan? duplicateWindow = null)
    {
        _router = router;
        _issuers = issuers;
        _journal = journal;
        _log = logger;
        _institutionId = System.Text.Encoding.ASCII.GetBytes(institutionId);
        _counters = new SwitchCounters();
        _recent = new RecentTransactions(recentCapacity, duplicateWindow ?? TimeSpan.FromMinutes(10));
        _pool = new TransactionPool(maxInFlight, () => new Transaction(this));
        _onExpired = OnExpired;
        _recordForwarded = journal.RecordForwardedAsync;
        _recordOutcome = journal.RecordOutcomeAsync;
        _afterForwarded = AfterForwarded;
        _afterOutcome = AfterOutcome;
        foreach (IssuerLink link in issuers.All) link.Engine = this;
        _inFlightHorizon = new InFlightHorizon(InFlightLagTicks(issuers));
        _ticker = new Thread(TickLoop) { IsBackground = true, Name = "switch-timeouts" };
        _ticker.Start();
    }

    public SwitchCounters Counters => _counters;
    public IssuerDirectory Issuers => _issuers;
    public BinRouter Router => _router;
    public ReversalQueue Reversals => _reversals;
    public RecentTransactions Recent => _recent;
    public ITransactionJournal Journal => _journal;

    /// <summary>
    /// Stopping: from now on new authorisation and financial requests are answered 91 at once and not forwarded, so
    /// the requests already in flight can finish (answered while their connections are still open) and the stop does
    /// not wait on a stream of new ones. Acquirer reversals and network management are still handled.
    /// </summary>
    public void BeginDrain() => _draining = true;

    /// <summary>True once <see cref="BeginDrain"/> was called.</summary>
    public bool Draining => _draining;

    /// <summary>Transactions in flight across the switch (acquirer requests and reversal attempts).</summary>
    public int InFlight => _pool.InUse;

    /// <summary>Reversal and advice attempts waiting for an issuer (part of <see cref="InFlight"/>).</summary>
    public int ReversalAttemptsInFlight => Volatile.Read(ref _reversalAttemptsInFlight);

    private int _reversalAttemptsInFlight;

    private static IsoMessageBuilder Builder(Dialect dialect) => t_builder ??= new IsoMessageBuilder(dialect);

    /// <summary>Takes what replay found: reversals still owed, and recent transactions for matching.</summary>
    public void Recover(IEnumerable<PendingReversal> owed, IEnumerable<RecentTransaction> recent, IReadOnlyDictionary<string, int>? lastIssuerStan = null)
    {
        if (lastIssuerStan is not null)
            foreach ((string issuer, int stan) in lastIssuerStan)
                _issuers.Find(issuer)?.Pending.ContinueAfter(stan);
        foreach (RecentTransaction entry in recent)
        {
            RecentTransaction e = entry;
            e.Issuer = _issuers.Find(entry.Issuer?.Id ?? "") ?? entry.Issuer;
            if (e.State == RecentState.InFlight)
            {
                // No outcome was journaled before the stop: nobody will answer it now (its reversal is owed), so a
                // repeat gets 91 rather than waiting for an answer that will never come.
                e.State = RecentState.TimedOut;
                e.ResponseCode = ResponseCode.IssuerUnavailable;
            }
            _recent.Add(e);
        }
        foreach (PendingReversal reversal in owed) _reversals.Enqueue(reversal);
    }

    /// <summary>Handles one frame from an acquirer connection (called on that connection's read loop).</summary>
    internal void OnFrame(AcquirerConnection connection, in ReadOnlySequence<byte> message, Tpdu tpdu)
    {
        if (message.IsEmpty) return; // keep-alive
        _counters.Received();
        if (!_pool.TryRent(out Transaction transaction))
        {
            Shed(connection, message, tpdu);
            return;
        }
        transaction.ReceivedTimestamp = Stopwatch.GetTimestamp();
        transaction.Connection = connection;
        transaction.Tpdu = tpdu;
        ReadOnlyMemory<byte> bytes = transaction.LoadRequest(message);
        IsoMessage request = transaction.Request;
        if (!request.TryParse(bytes, connection.Dialect, out ParseError error))
        {
            if (request.Mti >= 0 && Mti.IsRequest(request.Mti))
            {
                if (connection.ShouldLog(ConnectionEvent.FormatError))
                    SwitchLog.FormatError(_log, connection.Name, connection.RemoteText, Mti.ToText(request.Mti), error.ToString());
                AnswerLocally(transaction, ResponseCode.FormatError);
            }
            else
            {
                connection.Close($"unreadable message ({error}); cannot answer without an MTI");
            }
            Release(transaction);
            return;
        }

        switch (request.Mti)
        {
            case Mti.NetworkManagementRequest:
                AnswerNetworkManagement(transaction);
                Release(transaction);
                return;
            case Mti.AuthorisationRequest:
            case Mti.AuthorisationRequestRepeat:
            case Mti.FinancialRequest:
            case Mti.FinancialRequestRepeat:
            case Mti.AuthorisationAdvice:
            case Mti.AuthorisationAdviceRepeat:
                HandleFinancial(transaction);
                return;
            case Mti.ReversalRequest:
            case Mti.ReversalRequestRepeat:
            case Mti.ReversalAdvice:
            case Mti.ReversalAdviceRepeat:
                HandleAcquirerReversal(transaction);
                return;
            default:
                if (Mti.IsRequest(request.Mti)) AnswerLocally(transaction, ResponseCode.InvalidTransaction);
                else if (connection.ShouldLog(ConnectionEvent.UnexpectedMti)) SwitchLog.UnexpectedMti(_log, connection.Name, connection.RemoteText, Mti.ToText(request.Mti));
                Release(transaction);
                return;
        }
    }

    private void HandleFinancial(Transaction transaction)
    {
        AcquirerConnection connection = transaction.Connection!;
        IsoMessage request = transaction.Request;
        if (_draining)
        {
            AnswerAndRelease(transaction, ResponseCode.IssuerUnavailable); // the switch is stopping: try again later
            return;
        }

        if (!connection.TryEnterInFlight())
        {
            AnswerAndRelease(transaction, ResponseCode.IssuerUnavailable);
            return;
        }
        transaction.CountsInFlight = true;

        ResponseCode check = Validate(request, out long amount);
        if (!check.Equals(default(ResponseCode)))
        {
            AnswerAndRelease(transaction, check);
            return;
        }
        transaction.Amount = amount;

        IssuerLink? link = Route(request);
        if (link is null)
        {
            AnswerAndRelease(transaction, ResponseCode.NoSuchIssuer);
            return;
        }

        // Duplicate transmission: the same acquirer, terminal, STAN and transmission time within the window.
        if (TransactionKey.TryCreate(request, out TransactionKey key))
        {
            var entry = new RecentTransaction
            {
                Key = key, ReceivedUnixMs = NowUnixMs, ArrivedAtSequence = _journal.NextSequence, State = RecentState.InFlight, Mti = request.Mti, Issuer = link,
            };
            if (!_recent.TryAdd(entry, out int slot, out RecentTransaction existing, out Transaction? evictedWaiter))
            {
                HandleRepeat(transaction, key, existing);
                return;
            }
            // A repeat parked on the entry the ring just dropped: its original will not find it to answer it.
            if (evictedWaiter is not null) AnswerAndRelease(evictedWaiter, ResponseCode.DuplicateTransmission);
            transaction.RecentSlot = slot;
            transaction.RecentKey = key;
            transaction.HasRecent = true;
        }

        transaction.Issuer = link;
        if (!link.IsAvailable || !link.Breaker.AllowRequest(link.ProbesWithTrialRequest))
        {
            if (link.StandIn.Enabled)
            {
                // The issuer cannot be reached now: decide on its behalf (journaled first like any forwarded request).
                transaction.StandInAtDispatch = true;
                transaction.IssuerRrn = RetrievalReference.Create(DateTime.UtcNow, 0);
                JournalForwarded(transaction);
                return;
            }
            AnswerAndRelease(transaction, ResponseCode.IssuerUnavailable);
            return;
        }
        // The STAN is taken now (the Forwarded record holds it); the timeout starts only once the record is durable
        // and the request really leaves, so a timeout can never overtake the journal write.
        if (!link.Pending.TryRegister(transaction, PendingTable.Unarmed))
        {
            AnswerAndRelease(transaction, ResponseCode.IssuerUnavailable);
            return;
        }
        transaction.IssuerRrn = RetrievalReference.Create(DateTime.UtcNow, transaction.IssuerStan);
        JournalForwarded(transaction);
    }

    /// <summary>Rule 1: the Forwarded record is durable before the request leaves (or before a stand-in decision).</summary>
    private void JournalForwarded(Transaction transaction)
        => WhenDurable(transaction, _recordForwarded, transaction.ContinueAfterForwarded, _afterForwarded);

    /// <summary>
    /// Appends a record and continues with <paramref name="next"/> once it is durable: at once when the journal
    /// completes synchronously, else from the journal's completion through the transaction's cached continuation.
    /// A failure to append surfaces in <paramref name="next"/> through <see cref="Transaction.JournalTask"/>.
    /// </summary>
    private static void WhenDurable(Transaction transaction, Func<Transaction, ValueTask<long>> record, Action continuation, Action<Transaction> next)
    {
        ValueTask<long> durable;
        try
        {
            durable = record(transaction);
        }
        catch (Exception ex)
        {
            durable = ValueTask.FromException<long>(ex);
        }
        transaction.JournalTask = durable;
        if (durable.IsCompleted) next(transaction);
        else durable.GetAwaiter().UnsafeOnCompleted(continuation);
    }

    /// <summary>A repeat of a transaction in the duplicate window: never forwarded again.</summary>
    private void HandleRepeat(Transaction transaction, in TransactionKey key, RecentTransaction existing)
    {
        _counters.Duplicate();
        if (existing.State == RecentState.InFlight)
        {
            // The original is still on its way: this repeat gets the original's answer when it comes.
            if (_recent.TryAttachWaiter(key, transaction, out RecentTransaction current)) return;
            if (current.State == RecentState.InFlight)
            {
                AnswerAndRelease(transaction, ResponseCode.DuplicateTransmission); // someone already waits
                return;
            }
            existing = current;
        }
        AnswerRepeat(transaction, existing.ResponseCode, existing.ApprovalCode);
    }

    /// <summary>Answers a repeat with the original's answer.</summary>
    private void AnswerRepeat(Transaction transaction, ResponseCode code, ApprovalCodeValue approval)
    {
        IsoMessageBuilder builder = StartReply(transaction, code);
        Span<byte> approvalBytes = stackalloc byte[6];
        int length = approval.CopyTo(approvalBytes);
        if (length > 0) builder.TrySetAscii(38, approvalBytes[..length]);
        _counters.Answered(code, Stopwatch.GetTimestamp() - transaction.ReceivedTimestamp, null);
        if (!transaction.Connection!.TryWriteFrame(builder, transaction.Tpdu)) LogDroppedReply(transaction);
        Release(transaction);
    }

    /// <summary>Coarse wall clock (unix ms), refreshed by the timer thread; cheap to read on the hot path.</summary>
    private long NowUnixMs => Volatile.Read(ref _nowUnixMs);

    private long _nowUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private IssuerLink? Route(IsoMessage request)
    {
        Span<byte> pan = stackalloc byte[19];
        request.TryGetAscii(2, pan, out ReadOnlySpan<byte> digits);
        BinRouteMatch match = _router.Lookup(digits);
        return match.IsMatch ? _issuers.Resolve(match) : null;
    }

    /// <summary>Field checks the switch makes itself before routing. Returns default when the request may go on.</summary>
    private static ResponseCode Validate(IsoMessage request, out long amount)
    {
        amount = 0;
        // DE2, DE4, DE7, DE11 and DE41 are needed to route, to match answers and to reverse.
        if (!request.Has(2) || !request.Has(4) || !request.Has(7) || !request.Has(11) || !request.Has(41))
            return ResponseCode.FormatError;
        Span<byte> pan = stackalloc byte[19];
        request.TryGetAscii(2, pan, out ReadOnlySpan<byte> digits);
        if (digits.Length < 12 || !Luhn.IsValid(digits)) return ResponseCode.InvalidCardNumber;
        if (!request.TryGetInt64(4, out amount)) return ResponseCode.FormatError;
        if (amount == 0 && request.Mti is Mti.FinancialRequest or Mti.FinancialRequestRepeat) return ResponseCode.InvalidAmount;
        if (request.TryGetInt64(14, out long expiry) && IsExpired(expiry)) return ResponseCode.ExpiredCard;
        return default;
    }

    private static bool IsExpired(long yymm)
    {
        DateTime now = DateTime.UtcNow;
        long current = ((now.Year % 100) * 100) + now.Month;
        long month = yymm % 100;
        if (month is < 1 or > 12) return true;
        return yymm < current;
    }

    internal void AfterForwarded(Transaction transaction)
    {
        ValueTask<long> task = transaction.JournalTask;
        transaction.JournalTask = default;
        try
        {
            transaction.ForwardedSequence = task.GetAwaiter().GetResult();
        }
        catch (Exception ex)
        {
            SwitchLog.JournalFailed(_log, transaction.Issuer!.Id, ex.Message);
            if (transaction.StandInAtDispatch || transaction.Issuer.Pending.TryTake(transaction, transaction.PendingSequence))
                AnswerAndRelease(transaction, ResponseCode.SystemMalfunction);
            return;
        }
        if (transaction.HasRecent)
            _recent.SetForwarded(transaction.RecentSlot, transaction.RecentKey, transaction.ForwardedSequence, transaction.Issuer!, transaction.IssuerStan, transaction.IssuerRrn);
        if (transaction.StandInAtDispatch)
        {
            DecideStandIn(transaction, TransactionOutcome.StandIn);
            return;
        }
        PendingTable.Arm(transaction, Stopwatch.GetTimestamp() + transaction.Issuer!.TimeoutTicks);
        SendToIssuer(transaction);
    }

    private void SendToIssuer(Transaction transaction)
    {
        IssuerLink link = transaction.Issuer!;
        long sequence = transaction.PendingSequence;
        if (!link.TrySend(transaction) && link.Pending.TryTake(transaction, sequence))
        {
            if (transaction.Kind == TransactionKind.Reversal)
            {
                ReversalAttemptFailed(transaction);
            }
            else if (transaction.IssuerRequestTooLarge)
            {
                // Never sent, so nothing to reverse: the acquirer's request cannot be carried to this issuer (30).
                if (transaction.Connection!.ShouldLog(ConnectionEvent.FormatError))
                    SwitchLog.IssuerRequestTooLarge(_log, link.Id, transaction.Connection.Name, Mti.ToText(transaction.Request.Mti), link.Options.MaxFrameBytes);
                FinishForwarded(transaction, ResponseCode.FormatError, TransactionOutcome.DeclinedBySwitch, null);
            }
            else
            {
                FinishForwarded(transaction, ResponseCode.IssuerUnavailable, TransactionOutcome.DeclinedBySwitch, null);
            }
        }
    }

    /// <summary>Fills <paramref name="builder"/> with the message the issuer must see: the switch's STAN, RRN and institution id.</summary>
    internal void BuildIssuerRequest(Transaction transaction, IsoMessageBuilder builder, Dialect issuerDialect)
    {
        if (transaction.Kind == TransactionKind.Reversal)
        {
            BuildReversal(transaction, builder, issuerDialect);
            return;
        }
        IsoMessage request = transaction.Request;
        transaction.IssuerMti = request.Mti;
        builder.Reset(issuerDialect, request.Mti);
        Span<byte> rrn = stackalloc byte[12];
        transaction.IssuerRrn.Format(rrn);
        // Fields go in ascending order, the switch's own (11, 33, 37) in their places: the builder then writes the
        // whole field area with one copy.
        int next = 11; // the next field of the switch's own still to set
        for (int field = request.NextField(1); field > 0; field = request.NextField(field))
        {
            if (field > next) next = SetOwnFieldsBefore(builder, transaction, rrn, next, field);
            if (EchoedFields.IsReplacedTowardsIssuer(field)) continue;
            builder.TryCopy(request, field);
        }
        SetOwnFieldsBefore(builder, transaction, rrn, next, int.MaxValue);
    }

    /// <summary>Sets the switch's own fields numbered from <paramref name="next"/> up to (not including) <paramref name="before"/>; returns the next still to set.</summary>
    private int SetOwnFieldsBefore(IsoMessageBuilder builder, Transaction transaction, ReadOnlySpan<byte> rrn, int next, int before)
    {
        if (next == 11 && before > 11)
        {
            builder.SetNumber(11, transaction.IssuerStan);
            next = 33;
        }
        if (next == 33 && before > 33)
        {
            builder.SetAscii(33, _institutionId);
            next = 37;
        }
        if (next == 37 && before > 37)
        {
            builder.SetAscii(37, rrn);
            next = int.MaxValue;
        }
        return next;
    }

    /// <summary>The issuer's ISO 8583 answer for a transaction already taken from the pending table.</summary>
    internal void OnIssuerAnswer(Transaction transaction, IsoMessage response)
    {
        Span<byte> scratch = stackalloc byte[8];
        ResponseCode code;
        if (!response.TryGetAscii(39, scratch, out ReadOnlySpan<byte> rc) || !ResponseCode.TryRead(rc, out code))
        {
            SwitchLog.IssuerInvalidResponseCode(_log, transaction.Issuer!.Id);
            code = ResponseCode.SystemMalfunction;
        }
        if (code.Equals(ResponseCode.SystemMalfunction)) transaction.Issuer!.Breaker.OnFailure();
        else transaction.Issuer!.Breaker.OnSuccess();
        if (transaction.Kind == TransactionKind.Reversal)
        {
            CompleteReversal(transaction, code);
            return;
        }
        if (response.TryGetAscii(38, scratch, out ReadOnlySpan<byte> approval)) transaction.SetApprovalCode(approval);
        FinishForwarded(transaction, code, TransactionOutcome.IssuerAnswered, response);
    }

    /// <summary>A wallet issuer's answer for a transaction already taken from the pending table.</summary>
    internal void OnIssuerAnswer(Transaction transaction, ResponseCode code, ReadOnlySpan<byte> approvalCode)
    {
        // 91 means the wallet issuer failed (5xx, no answer); a refused request (4xx → 30) is not the issuer failing.
        if (code.Equals(ResponseCode.IssuerUnavailable)) transaction.Issuer!.Breaker.OnFailure();
        else transaction.Issuer!.Breaker.OnSuccess(isTrialLink: transaction.Issuer.ProbesWithTrialRequest);
        if (transaction.Kind == TransactionKind.Reversal)
        {
            CompleteReversal(transaction, code);
            return;
        }
        if (code.IsApproved) transaction.SetApprovalCode(approvalCode);
        FinishForwarded(transaction, code, TransactionOutcome.IssuerAnswered, null);
    }

    /// <summary>
    /// The request may have reached the issuer but no usable answer came back (a wallet call failed after it was
    /// sent, or its body was unreadable): the outcome is unknown, so the acquirer gets 91 and the request is reversed
    /// (rule 3). For a transaction already taken from the pending table.
    /// </summary>
    internal void OnIssuerAnswerLost(Transaction transaction)
    {
        transaction.Issuer!.Breaker.OnFailure();
        if (transaction.Kind == TransactionKind.Reversal)
        {
            ReversalAttemptFailed(transaction);
            return;
        }
        FinishForwarded(transaction, ResponseCode.IssuerUnavailable, TransactionOutcome.AnswerLost, null);
    }

    /// <summary>
    /// Whether <paramref name="response"/> answers the request <paramref name="waiting"/> holds under the same STAN:
    /// the request was really sent (its Forwarded record is durable and its timeout armed), the MTI answers the one
    /// sent (0110 for 0100/0101, 0130 for 0120/0121, 0410 or 0430 for a reversal) and, when the issuer echoes DE37,
    /// it is the RRN the switch gave this request. A STAN alone can match a late answer to an earlier request once the
    /// STANs have wrapped.
    /// </summary>
    internal static bool IsAnswerTo(Transaction waiting, IsoMessage response)
    {
        if (Volatile.Read(ref waiting.DeadlineTimestamp) == PendingTable.Unarmed) return false; // not sent yet
        int sent = waiting.IssuerMti;
        if (sent == 0) return false;
        int expected = Mti.ResponseOf(sent);
        bool mtiMatches = response.Mti == expected
            || (expected / 100 == 4 && response.Mti is Mti.ReversalResponse or Mti.ReversalAdviceResponse);
        if (!mtiMatches) return false;
        if (waiting.Kind == TransactionKind.Authorisation && response.Has(37))
        {
            Span<byte> rrn = stackalloc byte[12];
            waiting.IssuerRrn.Format(rrn);
            if (!response.FieldEquals(37, rrn)) return false;
        }
        return true;
    }

    /// <summary>An answer under a STAN whose waiting request it does not answer (see <see cref="IsAnswerTo"/>): ignored.</summary>
    internal void OnMismatchedAnswer(IssuerLink link, IsoMessage response, Transaction waiting)
    {
        _counters.LateAnswer();
        response.TryGetInt64(11, out long stan);
        int sent = waiting.IssuerMti;
        SwitchLog.MismatchedAnswer(_log, link.Id, (int)stan, Mti.ToText(response.Mti), sent == 0 ? "----" : Mti.ToText(sent));
    }

    /// <summary>An issuer answered a STAN nobody waits for (late, after the timeout, or unknown). Its reversal is already owed.</summary>
    internal void OnLateAnswer(IssuerLink link, IsoMessage response)
    {
        _counters.LateAnswer();
        response.TryGetInt64(11, out long stan);
        Span<byte> scratch = stackalloc byte[2];
        string rc = response.TryGetAscii(39, scratch, out ReadOnlySpan<byte> code) ? System.Text.Encoding.ASCII.GetString(code) : "--";
        SwitchLog.LateAnswer(_log, link.Id, (int)stan, Mti.ToText(response.Mti), rc);
    }

    private void OnExpired(Transaction transaction)
    {
        transaction.Issuer!.Breaker.OnFailure();
        if (transaction.Kind == TransactionKind.Reversal)
        {
            ReversalAttemptFailed(transaction);
            return;
        }
        _counters.TimedOut();
        if (transaction.Issuer.StandIn.Enabled) DecideStandIn(transaction, TransactionOutcome.StandInAfterTimeout);
        else FinishForwarded(transaction, ResponseCode.IssuerUnavailable, TransactionOutcome.TimedOut, null);
    }

    /// <summary>Stand-in: approve on the issuer's behalf within its limits, else 91; journaled like any outcome.</summary>
    private void DecideStandIn(Transaction transaction, TransactionOutcome outcome)
    {
        Span<byte> approval = stackalloc byte[6];
        if (transaction.Issuer!.StandIn.TryApprove(transaction.Request, transaction.Amount, approval))
        {
            transaction.SetApprovalCode(approval);
            FinishForwarded(transaction, ResponseCode.Approved, outcome, null);
        }
        else
        {
            FinishForwarded(transaction, ResponseCode.IssuerUnavailable, outcome, null);
        }
    }

    /// <summary>Builds the acquirer's reply for a forwarded request, makes the outcome durable (rule 2), then delivers.</summary>
    private void FinishForwarded(Transaction transaction, ResponseCode code, TransactionOutcome outcome, IsoMessage? response)
    {
        IsoMessageBuilder builder = StartReply(transaction, code);
        if (response is not null) builder.CopyFrom(response, EchoedFields.FromIssuer);
        else if (!transaction.ApprovalCode.IsEmpty) builder.TrySetAscii(38, transaction.ApprovalCode);
        Framing framing = transaction.Connection!.Framing;
        if (!framing.Fits(builder.MessageLength))
        {
            // The issuer's fields (DE55, DE54, …) make the answer larger than this acquirer's frames. A decline is
            // passed on without them. An approval that cannot be passed on whole is not given: the acquirer gets 96
            // and the issuer's approval is reversed.
            AcquirerConnection connection = transaction.Connection;
            if (connection.ShouldLog(ConnectionEvent.FormatError))
                SwitchLog.AnswerTooLarge(_log, transaction.Issuer?.Id ?? "-", connection.Name, builder.MessageLength, framing.MaxFrameBytes, code.ToString());
            if (code.IsApproved)
            {
                code = ResponseCode.SystemMalfunction;
                outcome = TransactionOutcome.AnswerUndeliverable;
                transaction.ClearApprovalCode();
            }
            builder = StartReply(transaction, code);
        }
        transaction.ResponseCode = code;
        transaction.Outcome = outcome;
        transaction.SetReply(builder, framing); // identity fields and DE39 only when trimmed: those fitted the request
        WhenDurable(transaction, _recordOutcome, transaction.ContinueAfterOutcome, _afterOutcome);
    }

    internal void AfterOutcome(Transaction transaction)
    {
        ValueTask<long> task = transaction.JournalTask;
        transaction.JournalTask = default;
        bool durable = true;
        try
        {
            task.GetAwaiter().GetResult();
        }
        catch (Exception ex)
        {
            // The outcome is not durable: no approval may reach the acquirer (rule 2), and the issuer may have
            // approved, so the request is reversed.
            durable = false;
            SwitchLog.JournalFailed(_log, transaction.Issuer?.Id ?? "-", ex.Message);
            IsoMessageBuilder builder = StartReply(transaction, ResponseCode.SystemMalfunction);
            transaction.ResponseCode = ResponseCode.SystemMalfunction;
            transaction.SetReply(builder, transaction.Connection!.Framing);
        }
        bool sentAndUnknown = transaction.Outcome.RequiresReversal();
        bool reverse = !transaction.StandInAtDispatch && (!durable || sentAndUnknown);
        bool advise = durable && transaction.ResponseCode.IsApproved && transaction.Outcome is TransactionOutcome.StandIn or TransactionOutcome.StandInAfterTimeout;
        if (reverse && IsReversible(transaction.Request.Mti))
            OweReversal(transaction, durable ? ReversalReason.Timeout : ReversalReason.JournalFailure);
        if (advise) OweAdvice(transaction);
        RecentState state = sentAndUnknown && !transaction.ResponseCode.IsApproved ? RecentState.TimedOut
            : transaction.ResponseCode.IsApproved ? RecentState.Approved : RecentState.Declined;
        ResponseCode code = transaction.ResponseCode;
        ApprovalCodeValue approvalCode = ApprovalCodeValue.From(transaction.ApprovalCode);
        bool delivered = TryDeliver(transaction);
        bool undeliveredApproval = !delivered && durable && code.IsApproved && transaction.Outcome == TransactionOutcome.IssuerAnswered
            && IsReversible(transaction.Request.Mti);
        Transaction? waiter = undeliveredApproval
            ? (transaction.HasRecent ? _recent.Complete(transaction.RecentSlot, transaction.RecentKey, RecentState.TimedOut, ResponseCode.IssuerUnavailable, default, standIn: false) : null)
            : CompleteRecent(transaction, state);
        if (waiter is not null)
        {
            // A repeat of it waits on another connection: the terminal gets the approval there, so nothing is reversed.
            if (undeliveredApproval) CompleteRecent(transaction, RecentState.Approved);
            AnswerRepeat(waiter, code, approvalCode);
        }
        else if (undeliveredApproval)
        {
            ReverseUndelivered(transaction);
        }
        Release(transaction);
    }

    /// <summary>
    /// An issuer's approval the acquirer can no longer receive: its connection closed, or stopped reading, before the
    /// reply was written, and no repeat waits for it. The issuer booked it and the terminal did not, so the switch
    /// reverses it, journaled first as an acquirer's reversal is, so a restart still owes it. A repeat now gets 91, and
    /// a later 0400 from the acquirer for it is acknowledged without a second reversal. Cold path: allocates.
    /// </summary>
    private void ReverseUndelivered(Transaction transaction)
    {
        if (ForwardedOf(transaction) is not ForwardedRecord original) return;
        if (transaction.HasRecent) _recent.TryMarkReversalRequested(transaction.RecentKey);
        SwitchLog.UndeliveredApprovalReversed(_log, transaction.Issuer?.Id ?? "-", transaction.Connection!.Name, original.MaskedPan);
        // If the journal fails, the approval stands in it and the acquirer's own timeout reversal is what is left.
        _ = RequestReversalAsync(transaction.ForwardedSequence, original, ReversalReason.UndeliveredApproval, reversesAdvice: false, transaction.Issuer);
    }

    private static bool IsReversible(int mti) => mti is Mti.AuthorisationRequest or Mti.AuthorisationRequestRepeat or Mti.FinancialRequest or Mti.FinancialRequestRepeat;

    /// <summary>Records the answer in the duplicate window; returns a repeat waiting for it.</summary>
    private Transaction? CompleteRecent(Transaction transaction, RecentState state)
        => transaction.HasRecent
            ? _recent.Complete(transaction.RecentSlot, transaction.RecentKey, state, transaction.ResponseCode, transaction.ApprovalCode,
                transaction.Outcome is TransactionOutcome.StandIn or TransactionOutcome.StandInAfterTimeout)
            : null;

    /// <summary>Queues the 0120 advice of a stand-in approval (cold path: allocates).</summary>
    private void OweAdvice(Transaction transaction)
    {
        if (ForwardedOf(transaction) is not ForwardedRecord original) return;
        string code = System.Text.Encoding.ASCII.GetString(transaction.ApprovalCode);
        _reversals.Enqueue(new PendingReversal(original, transaction.ForwardedSequence, ReversalReason.StandIn, code) { Link = transaction.Issuer });
    }

    /// <summary>Queues a reversal for a forwarded request whose outcome is unknown (cold path: allocates).</summary>
    private void OweReversal(Transaction transaction, ReversalReason reason)
    {
        if (ForwardedOf(transaction) is ForwardedRecord original)
            _reversals.Enqueue(new PendingReversal(original, transaction.ForwardedSequence, reason) { Link = transaction.Issuer });
    }

    /// <summary>The Forwarded record as the journal holds it, rebuilt for a reversal or advice (cold path: allocates).</summary>
    private ForwardedRecord? ForwardedOf(Transaction transaction)
    {
        byte[] payload = new byte[1024];
        int length = ForwardedRecord.Write(transaction, _journal.Pan, payload);
        return ForwardedRecord.TryRead(payload.AsSpan(0, length), out ForwardedRecord? original) ? original : null;
    }

    /// <summary>Queues the reply on its connection; false (logged) when it cannot be written there. Does not release.</summary>
    private bool TryDeliver(Transaction transaction)
    {
        AcquirerConnection connection = transaction.Connection!;
        _counters.Answered(transaction.ResponseCode, Stopwatch.GetTimestamp() - transaction.ReceivedTimestamp, transaction.Issuer);
        if (transaction.ReplyLength > 0 && connection.TryWriteReply(transaction.Reply)) return true;
        LogDroppedReply(transaction);
        return false;
    }

    private void LogDroppedReply(Transaction transaction)
    {
        AcquirerConnection connection = transaction.Connection!;
        if (!connection.ShouldLog(ConnectionEvent.ReplyDropped)) return;
        string pan = transaction.Request.TryGetString(2, out string? p) ? PanMask.Mask(p) : "-";
        SwitchLog.ReplyDropped(_log, connection.Name, connection.RemoteText, Mti.ToText(transaction.Request.Mti), transaction.ResponseCode.ToString(), pan);
    }

    private IsoMessageBuilder StartReply(Transaction transaction, ResponseCode code)
    {
        IsoMessage request = transaction.Request;
        IsoMessageBuilder builder = Builder(request.Dialect);
        builder.Reset(request.Dialect, Mti.ResponseOf(request.Mti));
        builder.CopyFrom(request, EchoedFields.Identity);
        Span<byte> rc = [code.First, code.Second];
        builder.SetAscii(39, rc);
        return builder;
    }

    /// <summary>Answers from the switch itself (nothing was forwarded), then releases.</summary>
    private void AnswerAndRelease(Transaction transaction, ResponseCode code)
    {
        AnswerLocally(transaction, code);
        Transaction? waiter = CompleteRecent(transaction, RecentState.Declined);
        Release(transaction);
        if (waiter is not null) AnswerRepeat(waiter, code, default);
    }

    private void AnswerLocally(Transaction transaction, ResponseCode code)
    {
        IsoMessageBuilder builder = StartReply(transaction, code);
        transaction.ResponseCode = code;
        transaction.Outcome = TransactionOutcome.DeclinedBySwitch;
        _counters.Answered(code, Stopwatch.GetTimestamp() - transaction.ReceivedTimestamp, null);
        if (!transaction.Connection!.TryWriteFrame(builder, transaction.Tpdu)) LogDroppedReply(transaction);
    }

    private void AnswerNetworkManagement(Transaction transaction)
    {
        IsoMessage request = transaction.Request;
        IsoMessageBuilder builder = Builder(request.Dialect);
        builder.Reset(request.Dialect, Mti.NetworkManagementResponse);
        builder.CopyFrom(request, EchoedFields.NetworkManagement);
        bool known = request.TryGetInt64(70, out long code) && code is 1 or 2 or 301;
        builder.SetAscii(39, known ? "00"u8 : "12"u8);
        _counters.Answered(known ? ResponseCode.Approved : ResponseCode.InvalidTransaction, 0, null);
        transaction.Connection!.TryWriteFrame(builder, transaction.Tpdu);
    }

    /// <summary>Every transaction slot is in use: answer 91 at once from a scratch parse, without a transaction.</summary>
    private void Shed(AcquirerConnection connection, in ReadOnlySequence<byte> message, Tpdu tpdu)
    {
        _counters.Shed();
        IsoMessage scratch = t_scratchMessage ??= new IsoMessage();
        byte[] copy = ArrayPool<byte>.Shared.Rent((int)message.Length);
        try
        {
            message.CopyTo(copy);
            if (!scratch.TryParse(copy.AsMemory(0, (int)message.Length), connection.Dialect, out _) || !Mti.IsRequest(scratch.Mti)) return;
            IsoMessageBuilder builder = Builder(scratch.Dialect);
            builder.Reset(scratch.Dialect, Mti.ResponseOf(scratch.Mti));
            builder.CopyFrom(scratch, EchoedFields.Identity);
            builder.SetAscii(39, "91"u8);
            connection.TryWriteFrame(builder, tpdu);
            _counters.Answered(ResponseCode.IssuerUnavailable, 0, null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    private void Release(Transaction transaction)
    {
        if (transaction.CountsInFlight) transaction.Connection?.ExitInFlight();
        if (transaction.Kind == TransactionKind.Reversal) Interlocked.Decrement(ref _reversalAttemptsInFlight);
        _pool.Return(transaction);
    }

    private void TickLoop()
    {
        long lastMaintenance = 0;
        while (!_stopping)
        {
            long now = Stopwatch.GetTimestamp();
            Volatile.Write(ref _nowUnixMs, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            foreach (IssuerLink link in _issuers.All)
            {
                try
                {
                    link.Pending.ExpireDue(now, _onExpired);
                    if (link.Breaker.OnTick(now)) link.Probe();
                    link.OnTick(now);
                }
                catch (Exception ex)
                {
                    _log.LogError(ex, "Timeout scan for issuer {Issuer} failed", link.Id);
                }
            }
            try
            {
                SendDueReversals(now);
                if (now - lastMaintenance > Stopwatch.Frequency)
                {
                    lastMaintenance = now;
                    // What a restart must replay: owed reversals and advices, requests that may be in flight, and the
                    // transactions the recent index holds (so it is rebuilt whole). The journal persists it.
                    long inFlightHorizon = _inFlightHorizon.Observe(now, _journal.NextSequence);
                    long retainFrom = Math.Min(_reversals.OldestOwedSequence() ?? long.MaxValue, inFlightHorizon);
                    _journal.RetainFrom(Math.Min(retainFrom, _recent.OldestArrivedAtSequence() ?? long.MaxValue));
                }
            }
            catch (Exception ex)
            {
                _log.LogError(ex, "Reversal sending failed; will retry");
            }
            Thread.Sleep(5);
        }
    }

    public ValueTask DisposeAsync()
    {
        _stopping = true;
        _ticker.Join(TimeSpan.FromSeconds(2));
        return ValueTask.CompletedTask;
    }
}
