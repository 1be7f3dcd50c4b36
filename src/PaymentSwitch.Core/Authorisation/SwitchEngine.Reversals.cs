using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PaymentSwitch.Core.Durability;
using PaymentSwitch.Core.Issuers;
using PaymentSwitch.Core.Logging;
using PaymentSwitch.Core.Reversals;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Core.Authorisation;

public sealed partial class SwitchEngine
{
    /// <summary>
    /// An acquirer's 0400/0420: matched to the original by DE90 and the terminal, queued for the issuer once
    /// (journaled first), and answered 00 at once; a repeat is answered 00 again without a second reversal. One that
    /// overtakes its original before the original is forwarded (or decided in stand-in) is answered 91, to be repeated.
    /// </summary>
    private void HandleAcquirerReversal(Transaction transaction)
    {
        IsoMessage request = transaction.Request;
        if (!request.Has(4) || !TransactionKey.TryCreateOriginal(request, out TransactionKey key, out _))
        {
            AnswerAndRelease(transaction, ResponseCode.FormatError);
            return;
        }
        if (!_recent.TryFind(key, out RecentTransaction original))
        {
            AnswerAndRelease(transaction, ResponseCode.UnableToLocateOriginal);
            return;
        }
        if (original.State == RecentState.InFlight && (!original.Forwarded || original.IssuerStan == 0))
        {
            // The original is still on its way in: its Forwarded record is not durable yet (so neither its issuer STAN
            // nor its sequence is known), or the switch is deciding it in stand-in (sent to nobody, and whether an
            // advice will book it is not known yet). A reversal built now would name nothing the issuer knows. The
            // acquirer repeats an unanswered reversal, by which time the original is settled.
            AnswerAndRelease(transaction, ResponseCode.IssuerUnavailable);
            return;
        }
        bool standIn = original.StandInApproved;
        if (!standIn && (original.State is RecentState.Declined or RecentState.TimedOut || _reversals.Contains(original.ForwardedSequence)) || !_recent.TryMarkReversalRequested(key))
        {
            // Nothing was booked, or the switch owes (or already made) a reversal of it because its outcome was
            // unknown, or this is a repeat: acknowledge without sending another.
            AnswerAndRelease(transaction, ResponseCode.Approved);
            return;
        }
        _ = QueueAcquirerReversalAsync(transaction, original);
    }

    private async Task QueueAcquirerReversalAsync(Transaction transaction, RecentTransaction entry)
    {
        bool queued;
        try
        {
            ForwardedRecord original = OriginalFromReversal(transaction.Request, entry);
            // A stand-in approval is booked at the issuer by its advice: that is what must be reversed.
            queued = await RequestReversalAsync(entry.ForwardedSequence, original, ReversalReason.Acquirer, entry.StandInApproved, entry.Issuer).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            SwitchLog.JournalFailed(_log, entry.Issuer?.Id ?? "-", ex.Message);
            queued = false;
        }
        AnswerAndRelease(transaction, queued ? ResponseCode.Approved : ResponseCode.SystemMalfunction);
    }

    /// <summary>
    /// Journals a reversal request for <paramref name="original"/> (so a restart still owes it), then queues it for
    /// the issuer. False, logged, when the journal refused it: nothing is queued.
    /// </summary>
    private async Task<bool> RequestReversalAsync(long forwardedSequence, ForwardedRecord original, ReversalReason reason, bool reversesAdvice, IssuerLink? issuer)
    {
        try
        {
            await _journal.RecordReversalRequestedAsync(forwardedSequence, original, reason, reversesAdvice).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            SwitchLog.JournalFailed(_log, issuer?.Id ?? "-", ex.Message);
            return false;
        }
        _reversals.Enqueue(new PendingReversal(original, forwardedSequence, reason, reversesAdvice ? "" : null, reversesAdvice) { Link = issuer });
        return true;
    }

    /// <summary>The original's details rebuilt from the acquirer's reversal and what the switch remembers of the original.</summary>
    private ForwardedRecord OriginalFromReversal(IsoMessage reversal, in RecentTransaction entry)
    {
        string Field(int f) => reversal.TryGetString(f, out string? v) ? v.Trim() : "";
        Span<byte> pan = stackalloc byte[19];
        reversal.TryGetAscii(2, pan, out ReadOnlySpan<byte> digits);
        byte[] blob = new byte[PanProtector.MaxBlobBytes];
        int blobLength = _journal.Pan.Protect(digits, blob);
        reversal.TryGetInt64(4, out long amount);
        return new ForwardedRecord
        {
            Mti = entry.Mti,
            IssuerId = entry.Issuer?.Id ?? "",
            IssuerStan = entry.IssuerStan,
            IssuerRrn = entry.IssuerRrn.ToString(),
            TransmissionTime = entry.Key.TransmissionTime,
            Amount = amount,
            Currency = Field(49),
            ProcessingCode = Field(3),
            AcquirerId = Field(32),
            TerminalId = Field(41),
            MerchantId = Field(42),
            AcquirerStan = entry.Key.Stan,
            AcquirerRrn = Field(37),
            MaskedPan = PanMask.Mask(digits),
            PanKeyId = _journal.Pan.KeyId,
            EncryptedPan = blob[..blobLength],
        };
    }

    /// <summary>Sends the owed reversals that are due to issuers whose links are up.</summary>
    private void SendDueReversals(long now)
    {
        // Not to an issuer whose breaker is open: each attempt would only time out and keep the breaker open. Nor to a
        // half-open card issuer: its 0800 echo probe decides first, and nothing else is risked on it meanwhile.
        List<PendingReversal>? due = _reversals.TakeDue(now, r => (r.Link ??= _issuers.Find(r.Original.IssuerId)) is { IsAvailable: true } link
            && SendsNow(link.Breaker.State, link.ProbesWithTrialRequest));
        if (due is null) return;
        foreach (PendingReversal reversal in due) SendReversal(reversal, now);
    }

    private static bool SendsNow(CircuitState state, bool trialRequestsAllowed)
        => state == CircuitState.Closed || (state == CircuitState.HalfOpen && trialRequestsAllowed);

    private void SendReversal(PendingReversal reversal, long now)
    {
        IssuerLink link = reversal.Link!;
        if (!_pool.TryRent(out Transaction transaction))
        {
            _reversals.OnAttemptFailed(reversal, now);
            return;
        }
        transaction.Kind = TransactionKind.Reversal;
        transaction.Reversal = reversal;
        Interlocked.Increment(ref _reversalAttemptsInFlight);
        transaction.Issuer = link;
        transaction.Amount = reversal.Original.Amount;
        transaction.ReceivedTimestamp = now;
        transaction.ForwardedSequence = reversal.ForwardedSequence;
        if (!link.Pending.TryRegister(transaction, now + link.TimeoutTicks))
        {
            _reversals.OnAttemptFailed(reversal, now);
            Release(transaction);
            return;
        }
        SendToIssuer(transaction);
    }

    /// <summary>0420 (first attempt) or 0421 (repeat) for the original, with DE90 naming it as the issuer saw it.</summary>
    private void BuildReversal(Transaction transaction, IsoMessageBuilder builder, Dialect dialect)
    {
        PendingReversal reversal = transaction.Reversal!;
        ForwardedRecord o = reversal.Original;
        transaction.IssuerMti = reversal.IsAdvice
            ? reversal.Attempts == 0 ? Mti.AuthorisationAdvice : Mti.AuthorisationAdviceRepeat
            : reversal.Attempts == 0 ? Mti.ReversalAdvice : Mti.ReversalAdviceRepeat;
        builder.Reset(dialect, transaction.IssuerMti);
        Span<byte> pan = stackalloc byte[PanProtector.MaxPanDigits];
        if (o.PanKeyId == _journal.Pan.KeyId && _journal.Pan.TryUnprotect(o.EncryptedPan, pan, out int panLength))
            builder.SetAscii(2, pan[..panLength]);
        if (o.ProcessingCode.Length > 0) builder.SetString(3, o.ProcessingCode);
        builder.SetNumber(4, o.Amount);
        DateTime now = DateTime.UtcNow;
        builder.SetNumber(7, (((((long)now.Month * 100) + now.Day) * 100 + now.Hour) * 100 + now.Minute) * 100 + now.Second);
        builder.SetNumber(11, transaction.IssuerStan);
        if (o.AcquirerId.Length > 0) builder.SetString(32, o.AcquirerId);
        builder.SetAscii(33, _institutionId);
        if (o.IssuerRrn.Length == 12) builder.SetString(37, o.IssuerRrn);
        builder.SetString(41, o.TerminalId);
        if (o.MerchantId.Length > 0) builder.SetString(42, o.MerchantId);
        if (o.Currency.Length > 0) builder.SetString(49, o.Currency);
        Span<char> de90 = stackalloc char[42];
        string institution = System.Text.Encoding.ASCII.GetString(_institutionId);
        if (reversal.IsAdvice)
        {
            builder.SetString(38, reversal.StandInApprovalCode);
            builder.SetAscii(39, "00"u8);
            AdviceIdentity(o, reversal.ForwardedSequence, institution, de90);
        }
        else if (reversal.ReversesAdvice)
        {
            AdviceIdentity(o, reversal.ForwardedSequence, institution, de90);
        }
        else
        {
            OriginalDataElements(o, institution, de90);
        }
        builder.SetString(90, de90);
    }

    /// <summary>
    /// DE90 of a stand-in advice: names the stand-in approval itself, the same on every repeat (0121), and never the
    /// same as the original request's identity (which a reversal names): a STAN from the journal sequence, the
    /// original DE7, and the switch's own institution id in the acquirer position.
    /// </summary>
    internal static void AdviceIdentity(ForwardedRecord o, long forwardedSequence, string institutionId, Span<char> destination)
    {
        int stan = (int)(forwardedSequence % 999_999) + 1;
        string text = $"{o.Mti:D4}{stan:D6}{o.TransmissionTime:D10}{institutionId.PadLeft(11, '0')}{institutionId.PadLeft(11, '0')}";
        text.AsSpan(0, 42).CopyTo(destination);
    }

    /// <summary>Decrypts the card number of a journaled original (for reversals and advices to wallet issuers).</summary>
    internal bool TryDecryptPan(ForwardedRecord original, Span<byte> pan, out int length)
    {
        length = 0;
        return original.PanKeyId == _journal.Pan.KeyId && _journal.Pan.TryUnprotect(original.EncryptedPan, pan, out length);
    }

    /// <summary>DE90: original MTI (4), STAN (6), DE7 (10), acquirer id (11) and forwarding institution id (11), zero-padded.</summary>
    internal static void OriginalDataElements(ForwardedRecord o, string institutionId, Span<char> destination)
    {
        string text = $"{o.Mti:D4}{o.IssuerStan:D6}{o.TransmissionTime:D10}{o.AcquirerId.PadLeft(11, '0')}{institutionId.PadLeft(11, '0')}";
        text.AsSpan(0, 42).CopyTo(destination);
    }

    /// <summary>The issuer answered a reversal: whatever its DE39, the reversal is done once that is durable.</summary>
    private void CompleteReversal(Transaction transaction, ResponseCode code)
    {
        PendingReversal reversal = transaction.Reversal!;
        Release(transaction);
        _ = CompleteReversalAsync(reversal, code);
    }

    private async Task CompleteReversalAsync(PendingReversal reversal, ResponseCode code)
    {
        try
        {
            if (reversal.IsAdvice) await _journal.RecordAdviceCompletedAsync(reversal.ForwardedSequence, code).ConfigureAwait(false);
            else if (reversal.ReversesAdvice) await _journal.RecordAdviceReversalCompletedAsync(reversal.ForwardedSequence, code).ConfigureAwait(false);
            else await _journal.RecordReversalCompletedAsync(reversal.ForwardedSequence, code).ConfigureAwait(false);
            _reversals.OnCompleted(reversal);
        }
        catch (Exception ex)
        {
            _log.LogError("Reversal completion for #{Sequence} could not be journaled ({Reason}); it will be sent again", reversal.ForwardedSequence, ex.Message);
            _reversals.OnAttemptFailed(reversal, Stopwatch.GetTimestamp());
        }
    }

    private void ReversalAttemptFailed(Transaction transaction)
    {
        _reversals.OnAttemptFailed(transaction.Reversal!, Stopwatch.GetTimestamp());
        Release(transaction);
    }
}
