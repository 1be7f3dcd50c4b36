namespace PaymentSwitch.Core.Durability;

/// <summary>
/// What the reconciliation met that is not plain money: records it could not read, records about transactions whose
/// Forwarded record is not in the journal, and states the switch should never write (a second outcome, a reversal
/// completed twice).
/// </summary>
public sealed class ReconciliationAnomalies
{
    /// <summary>At most this many sequences are kept in <see cref="DuplicateReversalCompletionSequences"/>.</summary>
    public const int MaxListedSequences = 100;

    internal readonly List<long> DuplicateCompletionList = [];
    internal readonly SortedDictionary<string, long> ReversalAnswers = new(StringComparer.Ordinal);
    internal readonly SortedDictionary<string, long> AdviceAnswers = new(StringComparer.Ordinal);

    /// <summary>Records whose payload does not decode as their type (or of a type this build does not know).</summary>
    public long UnreadableRecords { get; internal set; }

    /// <summary>Of <see cref="UnreadableRecords"/>, those whose record type byte is unknown.</summary>
    public long UnknownTypeRecords { get; internal set; }

    /// <summary>
    /// Outcome and reversal records naming a Forwarded sequence that is not in the journal. Normal for transactions
    /// whose Forwarded record was in a segment retired by retention; otherwise a sign of a missing segment.
    /// </summary>
    public long OrphanRecords { get; internal set; }

    /// <summary>A second Outcome record for the same forwarded request (the first one is used).</summary>
    public long DuplicateOutcomes { get; internal set; }

    /// <summary>
    /// ReversalCompleted (or AdviceReversalCompleted) records beyond the first for the same forwarded request: a
    /// reversal completed twice.
    /// </summary>
    public long DuplicateReversalCompletions { get; internal set; }

    /// <summary>AdviceCompleted records beyond the first for the same stand-in approval.</summary>
    public long DuplicateAdviceCompletions { get; internal set; }

    /// <summary>Forwarded sequences of <see cref="DuplicateReversalCompletions"/> (the first <see cref="MaxListedSequences"/>).</summary>
    public IReadOnlyList<long> DuplicateReversalCompletionSequences => DuplicateCompletionList;

    /// <summary>
    /// The issuers' answers (DE39) to reversals (of requests and of advices), by code; anything but 00 (reversed) or 25
    /// (original unknown) deserves a look.
    /// </summary>
    public IReadOnlyDictionary<string, long> ReversalAnswerCodes => ReversalAnswers;

    /// <summary>A copy that later records do not change.</summary>
    internal ReconciliationAnomalies Snapshot()
    {
        var copy = new ReconciliationAnomalies
        {
            UnreadableRecords = UnreadableRecords,
            UnknownTypeRecords = UnknownTypeRecords,
            OrphanRecords = OrphanRecords,
            DuplicateOutcomes = DuplicateOutcomes,
            DuplicateReversalCompletions = DuplicateReversalCompletions,
            DuplicateAdviceCompletions = DuplicateAdviceCompletions,
        };
        copy.DuplicateCompletionList.AddRange(DuplicateCompletionList);
        foreach ((string code, long count) in ReversalAnswers) copy.ReversalAnswers[code] = count;
        foreach ((string code, long count) in AdviceAnswers) copy.AdviceAnswers[code] = count;
        return copy;
    }

    /// <summary>The issuers' answers (DE39) to stand-in advices, by code.</summary>
    public IReadOnlyDictionary<string, long> AdviceAnswerCodes => AdviceAnswers;

    /// <summary>True when nothing above needs attention (orphans and the reversal answer codes aside).</summary>
    public bool IsClean => UnreadableRecords == 0 && DuplicateOutcomes == 0 && DuplicateReversalCompletions == 0 && DuplicateAdviceCompletions == 0;
}
