using System.Buffers.Binary;
using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Core.Issuers;
using PaymentSwitch.Core.Reversals;
using PaymentSwitch.Iso8583;
using PaymentSwitch.Journal;

namespace PaymentSwitch.Core.Durability;

/// <summary>
/// Reads the journal on start (money-safety rule 4) and works out what the switch still owes: a reversal for every
/// forwarded authorisation whose outcome is unknown (no Outcome record: the switch stopped between rules 1 and 2; or
/// a timeout), and for every reversal an acquirer asked for, unless the issuer already answered it. It also refills
/// the recent-transactions index so reversals from acquirers still find their originals.
/// </summary>
public sealed class TransactionReplay(Func<string, IssuerLink?> findIssuer, int recentCapacity = 131_072) : IJournalReplayHandler
{
    // The most recent forwarded transactions only (a ring as large as the switch's index): replay memory stays bounded
    // however much journal is retained.
    private readonly RecentTransaction[] _recentRing = new RecentTransaction[recentCapacity];
    private readonly Dictionary<long, int> _recentSlot = new(Math.Min(recentCapacity, 1 << 20));
    private int _recentNext;
    private int _recentCount;
    private readonly Dictionary<long, ForwardedRecord> _unresolved = [];
    private readonly HashSet<long> _timedOut = [];
    private readonly Dictionary<long, (ForwardedRecord Original, ReversalReason Reason)> _requested = [];
    private readonly HashSet<long> _completed = [];
    private readonly Dictionary<long, (ForwardedRecord Original, string ApprovalCode)> _advices = [];
    private readonly HashSet<long> _advicesCompleted = [];
    private readonly Dictionary<long, ForwardedRecord> _adviceReversals = [];
    private readonly HashSet<long> _adviceReversalsCompleted = [];

    private readonly Dictionary<string, int> _lastIssuerStan = new(StringComparer.Ordinal);

    /// <summary>The last STAN the switch gave each issuer before it stopped (numbering continues after it).</summary>
    public IReadOnlyDictionary<string, int> LastIssuerStan => _lastIssuerStan;

    public long Records { get; private set; }
    public long Forwarded { get; private set; }
    public long Outcomes { get; private set; }
    public long UnreadableRecords { get; private set; }

    /// <summary>
    /// Outcomes that owe a reversal whose Forwarded record is no longer in the journal (retired or archived before the
    /// reversal was answered), so the reversal cannot be rebuilt: reported at start for manual reconciliation.
    /// </summary>
    public long OwedWithoutOriginal
    {
        get
        {
            long count = 0;
            foreach (long sequence in _withoutOriginal) if (!_completed.Contains(sequence)) count++;
            return count;
        }
    }

    // Outcomes owing a reversal whose Forwarded record was not replayed. Counted at the end: replay can start (at the
    // persisted retain point) between a Forwarded record and the outcome of a reversal answered later.
    private readonly HashSet<long> _withoutOriginal = [];

    /// <summary>The most recent forwarded transactions, oldest first (at most the index's capacity).</summary>
    public IEnumerable<RecentTransaction> Recent
    {
        get
        {
            int start = _recentCount < _recentRing.Length ? 0 : _recentNext;
            for (int i = 0; i < _recentCount; i++) yield return _recentRing[(start + i) % _recentRing.Length];
        }
    }

    private void AddRecent(in RecentTransaction entry)
    {
        ref RecentTransaction slot = ref _recentRing[_recentNext];
        if (_recentCount == _recentRing.Length) _recentSlot.Remove(slot.ForwardedSequence);
        else _recentCount++;
        slot = entry;
        _recentSlot[entry.ForwardedSequence] = _recentNext;
        _recentNext = (_recentNext + 1) % _recentRing.Length;
    }

    /// <summary>
    /// Records below the persisted retain point: only the last STAN given to each issuer, so that an issuer with no
    /// traffic since then does not number from 1 again within the hour its RRNs must stay unique in.
    /// </summary>
    public void OnRecordBeforeReplayStart(in JournalRecord record)
    {
        if (record.RecordType != (byte)TransactionRecordType.Forwarded
            || !ForwardedRecord.TryReadIssuerStan(record.Payload, out ReadOnlySpan<byte> issuer, out int stan) || stan == 0) return;
        foreach ((byte[] bytes, string name) in _issuerNames)
        {
            if (issuer.SequenceEqual(bytes))
            {
                _lastIssuerStan[name] = stan;
                return;
            }
        }
        string added = System.Text.Encoding.ASCII.GetString(issuer);
        _issuerNames.Add((issuer.ToArray(), added));
        _lastIssuerStan[added] = stan;
    }

    // Issuer ids seen below the retain point, as bytes, so that reading each record allocates nothing.
    private readonly List<(byte[] Bytes, string Name)> _issuerNames = [];

    public void OnRecord(in JournalRecord record)
    {
        Records++;
        ReadOnlySpan<byte> payload = record.Payload;
        switch ((TransactionRecordType)record.RecordType)
        {
            case TransactionRecordType.Forwarded:
                if (!ForwardedRecord.TryRead(payload, out ForwardedRecord? forwarded)) { UnreadableRecords++; return; }
                Forwarded++;
                _unresolved[record.Sequence] = forwarded!;
                if (forwarded!.IssuerStan != 0) _lastIssuerStan[forwarded.IssuerId] = forwarded.IssuerStan;
                AddRecent(new RecentTransaction
                {
                    Key = KeyOf(forwarded!),
                    ForwardedSequence = record.Sequence,
                    ArrivedAtSequence = record.Sequence,
                    Issuer = findIssuer(forwarded!.IssuerId),
                    IssuerStan = forwarded.IssuerStan,
                    IssuerRrn = RetrievalReference.Parse(forwarded.IssuerRrn),
                    Mti = forwarded.Mti,
                    State = RecentState.InFlight,
                    ReceivedUnixMs = record.TimestampUnixMs,
                });
                break;
            case TransactionRecordType.Outcome:
                if (!OutcomeRecord.TryRead(payload, out OutcomeRecord outcome)) { UnreadableRecords++; return; }
                Outcomes++;
                if (outcome.RequiresAdvice && _unresolved.TryGetValue(outcome.ForwardedSequence, out ForwardedRecord? advised))
                    _advices[outcome.ForwardedSequence] = (advised, outcome.ApprovalCode);
                if (outcome.RequiresReversal && _unresolved.TryGetValue(outcome.ForwardedSequence, out ForwardedRecord? sent) && sent.IssuerStan != 0)
                    _timedOut.Add(outcome.ForwardedSequence);
                else if (outcome.RequiresReversal)
                {
                    if (!_unresolved.ContainsKey(outcome.ForwardedSequence)) _withoutOriginal.Add(outcome.ForwardedSequence);
                    _unresolved.Remove(outcome.ForwardedSequence);
                }
                else _unresolved.Remove(outcome.ForwardedSequence);
                SetRecentState(outcome.ForwardedSequence,
                    outcome.ResponseCode.IsApproved ? RecentState.Approved : outcome.RequiresReversal ? RecentState.TimedOut : RecentState.Declined, outcome);
                break;
            case TransactionRecordType.ReversalRequested:
                if (!ReversalRequestedRecord.TryRead(payload, out long sequence, out ForwardedRecord? original, out ReversalReason reason)) { UnreadableRecords++; return; }
                _requested[sequence] = (original!, reason);
                MarkReversalRequested(sequence);
                break;
            case TransactionRecordType.ReversalCompleted:
                if (!ReversalRecord.TryRead(payload, out ReversalRecord completed)) { UnreadableRecords++; return; }
                _completed.Add(completed.ForwardedSequence);
                MarkReversalRequested(completed.ForwardedSequence);
                break;
            case TransactionRecordType.AdviceReversalRequested:
                if (!ReversalRequestedRecord.TryRead(payload, out long adviceSequence, out ForwardedRecord? advised2, out _)) { UnreadableRecords++; return; }
                _adviceReversals[adviceSequence] = advised2!;
                MarkReversalRequested(adviceSequence);
                break;
            case TransactionRecordType.AdviceReversalCompleted:
                if (!ReversalRecord.TryRead(payload, out ReversalRecord adviceReversal)) { UnreadableRecords++; return; }
                _adviceReversalsCompleted.Add(adviceReversal.ForwardedSequence);
                MarkReversalRequested(adviceReversal.ForwardedSequence);
                break;
            case TransactionRecordType.AdviceCompleted:
                if (!ReversalRecord.TryRead(payload, out ReversalRecord advice)) { UnreadableRecords++; return; }
                _advicesCompleted.Add(advice.ForwardedSequence);
                break;
            default:
                UnreadableRecords++;
                break;
        }
    }

    /// <summary>A reversal of this original was requested or made: a repeat of the acquirer's reversal must not send another.</summary>
    private void MarkReversalRequested(long sequence)
    {
        if (_recentSlot.TryGetValue(sequence, out int slot)) _recentRing[slot].ReversalRequested = true;
    }

    private void SetRecentState(long sequence, RecentState state, in OutcomeRecord outcome)
    {
        if (!_recentSlot.TryGetValue(sequence, out int slot)) return;
        ref RecentTransaction entry = ref _recentRing[slot];
        entry.State = state;
        entry.StandInApproved = outcome.IsStandIn && outcome.ResponseCode.IsApproved;
        entry.ResponseCode = outcome.ResponseCode;
        entry.ApprovalCode = ApprovalCodeValue.From(System.Text.Encoding.ASCII.GetBytes(outcome.ApprovalCode));
    }

    /// <summary>Every reversal still owed (oldest first), then every stand-in advice not yet answered.</summary>
    public IReadOnlyList<PendingReversal> OwedReversals()
    {
        var owed = new SortedDictionary<long, PendingReversal>();
        foreach ((long sequence, ForwardedRecord original) in _unresolved)
        {
            // A stand-in decided without sending (STAN 0) has nothing at the issuer to reverse.
            if (_completed.Contains(sequence) || !IsReversible(original.Mti) || original.IssuerStan == 0) continue;
            owed[sequence] = new PendingReversal(original, sequence, _timedOut.Contains(sequence) ? ReversalReason.Timeout : ReversalReason.Recovery);
        }
        foreach ((long sequence, (ForwardedRecord original, ReversalReason reason)) in _requested)
        {
            if (_completed.Contains(sequence) || owed.ContainsKey(sequence)) continue;
            owed[sequence] = new PendingReversal(original, sequence, reason);
        }
        var all = new List<PendingReversal>(owed.Values);
        foreach ((long sequence, (ForwardedRecord original, string approval)) in _advices)
            if (!_advicesCompleted.Contains(sequence)) all.Add(new PendingReversal(original, sequence, ReversalReason.StandIn, approval));
        foreach ((long sequence, ForwardedRecord original) in _adviceReversals)
            if (!_adviceReversalsCompleted.Contains(sequence)) all.Add(new PendingReversal(original, sequence, ReversalReason.Acquirer, "", reversesAdvice: true));
        return all;
    }

    private static bool IsReversible(int mti) => mti is Mti.AuthorisationRequest or Mti.AuthorisationRequestRepeat or Mti.FinancialRequest or Mti.FinancialRequestRepeat;

    internal static TransactionKey KeyOf(ForwardedRecord r)
    {
        Span<byte> terminal = stackalloc byte[8];
        terminal.Fill((byte)' ');
        for (int i = 0; i < Math.Min(8, r.TerminalId.Length); i++) terminal[i] = (byte)r.TerminalId[i];
        long.TryParse(r.AcquirerId, out long acquirer);
        return new TransactionKey(acquirer, BinaryPrimitives.ReadUInt64BigEndian(terminal), r.AcquirerStan, r.TransmissionTime);
    }
}
