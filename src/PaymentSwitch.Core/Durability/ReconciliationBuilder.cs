using System.Diagnostics;
using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Core.Reversals;
using PaymentSwitch.Journal;

namespace PaymentSwitch.Core.Durability;

/// <summary>
/// Builds a <see cref="ReconciliationReport"/> from the switch's journal records. Feed it every record in sequence
/// order — as the handler of <see cref="JournalScanner.Scan"/> (read-only, beside a running switch) or through
/// <see cref="Add"/> — then call <see cref="Build"/>.
/// </summary>
/// <remarks>
/// Memory: one small entry per forwarded transaction of the period (strings that repeat, such as issuer, acquirer,
/// terminal and currency, are shared), so a journal of a million transactions needs a few hundred megabytes.
/// Not thread-safe: one feeder at a time.
/// </remarks>
public sealed class ReconciliationBuilder : IJournalReplayHandler
{
    private const int MaxInternedStrings = 65_536;

    private readonly long _fromUnixMs;
    private readonly long _toUnixMs;
    private readonly DateTimeOffset? _from;
    private readonly DateTimeOffset? _to;
    private readonly Dictionary<long, ReconciliationTransaction> _transactions = [];
    private readonly HashSet<long> _outsidePeriod = [];
    private readonly Dictionary<string, string> _interned = new(StringComparer.Ordinal);
    private readonly ReconciliationAnomalies _anomalies = new();
    private long _records;
    private long _firstSequence;
    private long _lastSequence;
    private long _firstUnixMs;
    private long _lastUnixMs;

    /// <param name="fromUtc">Only transactions forwarded at or after this instant; null for no lower bound.</param>
    /// <param name="toUtc">Only transactions forwarded before this instant; null for no upper bound.</param>
    public ReconciliationBuilder(DateTimeOffset? fromUtc = null, DateTimeOffset? toUtc = null)
    {
        if (fromUtc is not null && toUtc is not null && toUtc <= fromUtc)
            throw new ArgumentException($"The period ends ({toUtc:O}) before it starts ({fromUtc:O}).", nameof(toUtc));
        _from = fromUtc;
        _to = toUtc;
        _fromUnixMs = fromUtc?.ToUnixTimeMilliseconds() ?? long.MinValue;
        _toUnixMs = toUtc?.ToUnixTimeMilliseconds() ?? long.MaxValue;
    }

    /// <summary>Records fed so far.</summary>
    public long RecordsRead => _records;

    /// <inheritdoc />
    public void OnRecord(in JournalRecord record) => Add(record.Sequence, record.TimestampUnixMs, record.RecordType, record.Payload);

    /// <summary>
    /// Takes one journal record. Returns false when its payload does not decode as its type (it is counted in
    /// <see cref="ReconciliationAnomalies.UnreadableRecords"/> and otherwise ignored).
    /// </summary>
    public bool Add(long sequence, long timestampUnixMs, byte recordType, ReadOnlySpan<byte> payload)
    {
        _records++;
        if (_records == 1)
        {
            _firstSequence = sequence;
            _firstUnixMs = timestampUnixMs;
        }
        _lastSequence = sequence;
        _lastUnixMs = timestampUnixMs;

        switch ((TransactionRecordType)recordType)
        {
            case TransactionRecordType.Forwarded:
                if (!ForwardedRecord.TryRead(payload, out ForwardedRecord? forwarded)) return Unreadable();
                if (!InPeriod(timestampUnixMs))
                {
                    _outsidePeriod.Add(sequence);
                    return true;
                }
                var t = new ReconciliationTransaction { ForwardedSequence = sequence, ForwardedUnixMs = timestampUnixMs };
                Fill(t, forwarded!);
                _transactions[sequence] = t;
                return true;

            case TransactionRecordType.Outcome:
                if (!OutcomeRecord.TryRead(payload, out OutcomeRecord outcome) || !Enum.IsDefined(outcome.Outcome)) return Unreadable();
                if (Find(outcome.ForwardedSequence) is not ReconciliationTransaction answered) return true;
                if (answered.HasOutcome)
                {
                    _anomalies.DuplicateOutcomes++;
                    return true;
                }
                answered.HasOutcome = true;
                answered.OutcomeUnixMs = timestampUnixMs;
                answered.Outcome = outcome.Outcome;
                answered.ResponseCode = outcome.ResponseCode;
                return true;

            case TransactionRecordType.ReversalRequested:
                if (!ReversalRequestedRecord.TryRead(payload, out long requestedSequence, out ForwardedRecord? original, out ReversalReason reason)) return Unreadable();
                if (Find(requestedSequence) is ReconciliationTransaction requested)
                {
                    if (requested.ReversalRequested is null)
                    {
                        requested.ReversalRequested = reason;
                        requested.RequestedUnixMs = timestampUnixMs;
                    }
                }
                else if (!_outsidePeriod.Contains(requestedSequence) && InPeriod(timestampUnixMs))
                {
                    // The original's Forwarded record is gone (retired): the request carries its details, and a
                    // restart would still owe this reversal. Not totalled (its outcome is not in the journal).
                    var known = new ReconciliationTransaction
                    {
                        ForwardedSequence = requestedSequence,
                        ForwardedUnixMs = timestampUnixMs,
                        ForwardedMissing = true,
                        ReversalRequested = reason,
                        RequestedUnixMs = timestampUnixMs,
                    };
                    Fill(known, original!);
                    _transactions[requestedSequence] = known;
                }
                return true;

            case TransactionRecordType.AdviceReversalRequested:
                if (!ReversalRequestedRecord.TryRead(payload, out long adviceSequence, out ForwardedRecord? advisedOriginal, out _)) return Unreadable();
                if (Find(adviceSequence) is ReconciliationTransaction standInReversed)
                {
                    if (!standInReversed.AdviceReversalRequested)
                    {
                        standInReversed.AdviceReversalRequested = true;
                        standInReversed.AdviceReversalRequestedUnixMs = timestampUnixMs;
                    }
                }
                else if (!_outsidePeriod.Contains(adviceSequence) && InPeriod(timestampUnixMs))
                {
                    var known = new ReconciliationTransaction
                    {
                        ForwardedSequence = adviceSequence,
                        ForwardedUnixMs = timestampUnixMs,
                        ForwardedMissing = true,
                        AdviceReversalRequested = true,
                        AdviceReversalRequestedUnixMs = timestampUnixMs,
                    };
                    Fill(known, advisedOriginal!);
                    _transactions[adviceSequence] = known;
                }
                return true;

            case TransactionRecordType.AdviceReversalCompleted:
                if (!ReversalRecord.TryRead(payload, out ReversalRecord adviceReversal)) return Unreadable();
                string adviceReversalCode = adviceReversal.ResponseCode.ToString();
                _anomalies.ReversalAnswers[adviceReversalCode] = _anomalies.ReversalAnswers.GetValueOrDefault(adviceReversalCode) + 1;
                if (Find(adviceReversal.ForwardedSequence) is not ReconciliationTransaction adviceReversed) return true;
                if (++adviceReversed.AdviceReversalCompletions > 1)
                {
                    _anomalies.DuplicateReversalCompletions++;
                    if (_anomalies.DuplicateCompletionList.Count < ReconciliationAnomalies.MaxListedSequences && adviceReversed.AdviceReversalCompletions == 2)
                        _anomalies.DuplicateCompletionList.Add(adviceReversal.ForwardedSequence);
                }
                return true;

            case TransactionRecordType.ReversalCompleted:
                if (!ReversalRecord.TryRead(payload, out ReversalRecord completed)) return Unreadable();
                string code = completed.ResponseCode.ToString();
                _anomalies.ReversalAnswers[code] = _anomalies.ReversalAnswers.GetValueOrDefault(code) + 1;
                if (Find(completed.ForwardedSequence) is not ReconciliationTransaction reversed) return true;
                reversed.ReversalCompletions++;
                if (reversed.ReversalCompletions > 1)
                {
                    _anomalies.DuplicateReversalCompletions++;
                    if (_anomalies.DuplicateCompletionList.Count < ReconciliationAnomalies.MaxListedSequences && reversed.ReversalCompletions == 2)
                        _anomalies.DuplicateCompletionList.Add(completed.ForwardedSequence);
                }
                return true;

            case TransactionRecordType.AdviceCompleted:
                if (!ReversalRecord.TryRead(payload, out ReversalRecord advised)) return Unreadable();
                string adviceCode = advised.ResponseCode.ToString();
                _anomalies.AdviceAnswers[adviceCode] = _anomalies.AdviceAnswers.GetValueOrDefault(adviceCode) + 1;
                if (Find(advised.ForwardedSequence) is not ReconciliationTransaction standIn) return true;
                if (++standIn.AdviceCompletions > 1) _anomalies.DuplicateAdviceCompletions++;
                return true;

            default:
                _anomalies.UnknownTypeRecords++;
                return Unreadable();
        }
    }

    /// <summary>Computes the report from everything fed so far; feeding more records afterwards does not change it.</summary>
    public ReconciliationReport Build()
    {
        var totals = new ReconciliationTotals();
        var byIssuer = new SortedDictionary<string, ReconciliationTotals>(StringComparer.Ordinal);
        var byAcquirer = new SortedDictionary<string, ReconciliationTotals>(StringComparer.Ordinal);
        var byMti = new SortedDictionary<string, ReconciliationTotals>(StringComparer.Ordinal);
        var byCode = new SortedDictionary<string, ReconciliationTotals>(StringComparer.Ordinal);
        var byCurrency = new SortedDictionary<string, ReconciliationTotals>(StringComparer.Ordinal);
        var owed = new List<ReconciliationOwedReversal>();
        var advices = new List<ReconciliationOwedReversal>();

        long[] sequences = [.. _transactions.Keys];
        Array.Sort(sequences);
        foreach (long sequence in sequences)
        {
            ReconciliationTransaction t = _transactions[sequence];
            if (t.OwedReason is ReversalReason reason)
                owed.Add(Owed(t, reason));
            if (t.AdviceReversalOwed)
                owed.Add(Owed(t, ReversalReason.Acquirer, reversesAdvice: true));
            if (t.AdviceOwed)
                advices.Add(Owed(t, ReversalReason.StandIn));
            if (t.ForwardedMissing) continue;
            totals.Add(t);
            Group(byIssuer, t.IssuerId, t);
            Group(byAcquirer, t.AcquirerId.Length == 0 ? "(none)" : t.AcquirerId, t);
            Group(byMti, t.MtiText, t);
            Group(byCode, t.ResponseCodeText, t);
            Group(byCurrency, t.Currency.Length == 0 ? "(none)" : t.Currency, t);
        }

        Debug.Assert(totals.ReversalsOwedCount <= owed.Count);
        return new ReconciliationReport
        {
            FromUtc = _from,
            ToUtc = _to,
            RecordsRead = _records,
            FirstSequence = _firstSequence,
            LastSequence = _lastSequence,
            FirstRecordUtc = _records == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(_firstUnixMs),
            LastRecordUtc = _records == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(_lastUnixMs),
            Totals = totals,
            ByIssuer = Lines(byIssuer),
            ByAcquirer = Lines(byAcquirer),
            ByMti = Lines(byMti),
            ByResponseCode = Lines(byCode),
            ByCurrency = Lines(byCurrency),
            ReversalsOwed = new ReconciliationOwedSummary(owed),
            AdvicesOwed = new ReconciliationOwedSummary(advices),
            Anomalies = _anomalies.Snapshot(),
        };
    }

    private bool InPeriod(long unixMs) => unixMs >= _fromUnixMs && unixMs < _toUnixMs;

    /// <summary>The transaction a later record names; null (and counted as an orphan unless outside the period) when unknown.</summary>
    private ReconciliationTransaction? Find(long forwardedSequence)
    {
        if (_transactions.TryGetValue(forwardedSequence, out ReconciliationTransaction? t)) return t;
        if (!_outsidePeriod.Contains(forwardedSequence)) _anomalies.OrphanRecords++;
        return null;
    }

    private bool Unreadable()
    {
        _anomalies.UnreadableRecords++;
        return false;
    }

    private void Fill(ReconciliationTransaction t, ForwardedRecord r)
    {
        t.Mti = r.Mti;
        t.IssuerId = Intern(r.IssuerId);
        t.IssuerStan = r.IssuerStan;
        t.AcquirerId = Intern(r.AcquirerId);
        t.TerminalId = Intern(r.TerminalId);
        t.Currency = Intern(r.Currency);
        t.AmountMinor = r.Amount;
        t.AcquirerStan = r.AcquirerStan;
        t.TransmissionTime = r.TransmissionTime;
        t.AcquirerRrn = r.AcquirerRrn;
        t.MaskedPan = r.MaskedPan;
    }

    private string Intern(string value)
    {
        if (_interned.TryGetValue(value, out string? shared)) return shared;
        if (_interned.Count < MaxInternedStrings) _interned[value] = value;
        return value;
    }

    private static ReconciliationOwedReversal Owed(ReconciliationTransaction t, ReversalReason reason, bool reversesAdvice = false) => new(
        t.ForwardedSequence, reason, t.IssuerId, t.AcquirerId, t.TerminalId, t.AcquirerStan, t.TransmissionTime, t.AcquirerRrn, t.MtiText,
        t.AmountMinor, t.Currency, t.MaskedPan,
        DateTimeOffset.FromUnixTimeMilliseconds(reason switch
        {
            ReversalReason.Acquirer => reversesAdvice ? t.AdviceReversalRequestedUnixMs : t.RequestedUnixMs,
            ReversalReason.UndeliveredApproval => t.RequestedUnixMs,
            ReversalReason.StandIn => t.OutcomeUnixMs,
            _ => t.ForwardedUnixMs,
        }),
        reversesAdvice);

    private static void Group(SortedDictionary<string, ReconciliationTotals> groups, string key, ReconciliationTransaction t)
    {
        if (!groups.TryGetValue(key, out ReconciliationTotals? totals))
        {
            totals = new ReconciliationTotals();
            groups[key] = totals;
        }
        totals.Add(t);
    }

    private static ReconciliationLine[] Lines(SortedDictionary<string, ReconciliationTotals> groups)
    {
        var lines = new ReconciliationLine[groups.Count];
        int i = 0;
        foreach ((string key, ReconciliationTotals totals) in groups) lines[i++] = new ReconciliationLine(key, totals);
        return lines;
    }
}
