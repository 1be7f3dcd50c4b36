using PaymentSwitch.Core.Reversals;

namespace PaymentSwitch.Core.Durability;

/// <summary>One reversal (or stand-in advice) the switch still owes an issuer, as the journal shows it (card number masked only).</summary>
/// <param name="ForwardedSequence">Journal sequence of the original's Forwarded record: the reversal's identity.</param>
/// <param name="Reason">Why it is owed: timeout, recovery (no outcome), the acquirer's request, or <see cref="ReversalReason.StandIn"/> for an advice.</param>
/// <param name="IssuerId">Issuer the original went to.</param>
/// <param name="AcquirerId">DE32 of the original.</param>
/// <param name="TerminalId">DE41 of the original.</param>
/// <param name="AcquirerStan">DE11 of the original as the acquirer sent it.</param>
/// <param name="TransmissionTime">DE7 of the original (MMDDhhmmss).</param>
/// <param name="AcquirerRrn">DE37 of the original as the acquirer sent it.</param>
/// <param name="Mti">MTI of the original, e.g. <c>0100</c>.</param>
/// <param name="AmountMinor">Amount of the original (minor units).</param>
/// <param name="Currency">DE49 of the original.</param>
/// <param name="MaskedPan">First 6 and last 4 digits of the card number.</param>
/// <param name="OwedSinceUtc">When the debt arose: the Forwarded record's time (timeout, recovery), the acquirer's request's, or the stand-in outcome's.</param>
/// <param name="ReversesAdvice">A reversal of the advice of a stand-in approval (the acquirer reversed it), not of the request sent to the issuer.</param>
public sealed record ReconciliationOwedReversal(
    long ForwardedSequence,
    ReversalReason Reason,
    string IssuerId,
    string AcquirerId,
    string TerminalId,
    int AcquirerStan,
    long TransmissionTime,
    string AcquirerRrn,
    string Mti,
    long AmountMinor,
    string Currency,
    string MaskedPan,
    DateTimeOffset OwedSinceUtc,
    bool ReversesAdvice = false);
