using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Core.Reversals;

namespace PaymentSwitch.Core.Durability;

/// <summary>
/// What the journal says about one forwarded transaction (keyed by its Forwarded record's sequence): the fields the
/// report groups by and lists, its outcome, and its reversal progress. No card number beyond the masked one.
/// </summary>
internal sealed class ReconciliationTransaction
{
    public long ForwardedSequence;

    /// <summary>Append time of the Forwarded record (Unix ms); for <see cref="ForwardedMissing"/>, of the reversal request.</summary>
    public long ForwardedUnixMs;

    /// <summary>The Forwarded record is not in the journal (retired); known only from an acquirer's reversal request.</summary>
    public bool ForwardedMissing;

    public int Mti;
    public string IssuerId = "";

    /// <summary>The STAN the request went to the issuer with; 0 when it was never sent (a stand-in decided at dispatch).</summary>
    public int IssuerStan;
    public string AcquirerId = "";
    public string TerminalId = "";
    public string Currency = "";
    public long AmountMinor;
    public int AcquirerStan;
    public long TransmissionTime;
    public string AcquirerRrn = "";
    public string MaskedPan = "";

    public bool HasOutcome;
    public long OutcomeUnixMs;
    public TransactionOutcome Outcome;
    public ResponseCode ResponseCode;

    /// <summary>
    /// Why a reversal was requested for this transaction (the acquirer's 0400, or the switch's own for an approval
    /// it could not deliver), or null when none was.
    /// </summary>
    public ReversalReason? ReversalRequested;
    public long RequestedUnixMs;

    /// <summary>ReversalCompleted records seen for this transaction (more than one is an anomaly).</summary>
    public int ReversalCompletions;

    /// <summary>AdviceCompleted records seen (the issuer answered the 0120 advice of a stand-in approval).</summary>
    public int AdviceCompletions;

    /// <summary>The acquirer reversed a stand-in approval: the switch owes the issuer a reversal of the advice.</summary>
    public bool AdviceReversalRequested;
    public long AdviceReversalRequestedUnixMs;

    /// <summary>AdviceReversalCompleted records seen (the issuer answered the reversal of the advice).</summary>
    public int AdviceReversalCompletions;

    private bool IsStandIn => Outcome is TransactionOutcome.StandIn or TransactionOutcome.StandInAfterTimeout;

    public ReconciliationCategory Category => !HasOutcome
        ? ReconciliationCategory.NoOutcome
        : ResponseCode.IsApproved && Outcome == TransactionOutcome.IssuerAnswered ? ReconciliationCategory.Approved
        : ResponseCode.IsApproved && IsStandIn ? ReconciliationCategory.StandInApproved
        : Outcome.RequiresReversal() ? ReconciliationCategory.TimedOut
        : ReconciliationCategory.Declined;

    /// <summary>
    /// An approval the acquirer had reversed, with the issuer's answer to that reversal: subtracted from the net. For an
    /// issuer's approval any completed reversal is the acquirer's (the switch reverses on its own only unknown
    /// outcomes, which are not approvals); a stand-in approval is undone only by the reversal of its advice — the
    /// switch's reversal of the request it sent before a timeout does not touch it.
    /// </summary>
    public bool IsReversedApproval => Category switch
    {
        ReconciliationCategory.Approved => ReversalCompletions > 0,
        ReconciliationCategory.StandInApproved => AdviceReversalCompletions > 0,
        _ => false,
    };

    /// <summary>The acquirer reversed a stand-in approval and the issuer has not answered the reversal of the advice yet.</summary>
    public bool AdviceReversalOwed => AdviceReversalRequested && AdviceReversalCompletions == 0;

    /// <summary>A stand-in approval whose 0120 advice the issuer has not answered yet.</summary>
    public bool AdviceOwed => HasOutcome && IsStandIn && ResponseCode.IsApproved && AdviceCompletions == 0 && !ForwardedMissing;

    /// <summary>
    /// The reversal still owed, by the rules of <see cref="TransactionReplay.OwedReversals"/>: an authorisation or
    /// financial request that was sent and whose outcome is unknown (none, a timeout, a stand-in after a timeout, a lost or undeliverable answer),
    /// or one an acquirer asked to reverse — unless the issuer already answered a reversal for it.
    /// </summary>
    public ReversalReason? OwedReason
    {
        get
        {
            if (ReversalCompletions > 0) return null;
            if (!ForwardedMissing && IssuerStan != 0 && IsReversible(Mti))
            {
                if (!HasOutcome) return ReversalReason.Recovery;
                if (Outcome.RequiresReversal()) return ReversalReason.Timeout;
            }
            return ReversalRequested;
        }
    }

    private static bool IsReversible(int mti) =>
        mti is Iso8583.Mti.AuthorisationRequest or Iso8583.Mti.AuthorisationRequestRepeat or Iso8583.Mti.FinancialRequest or Iso8583.Mti.FinancialRequestRepeat;

    public string ResponseCodeText => !HasOutcome ? "none" : ResponseCode.First == 0 ? "--" : ResponseCode.ToString();

    public string MtiText => Iso8583.Mti.ToText(Mti);
}
