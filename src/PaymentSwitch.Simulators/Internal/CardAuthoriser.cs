using System.Diagnostics;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Simulators.Internal;

/// <summary>
/// The card issuer's answer to one ISO 8583 request: decides, books into the ledger and the approval index, and builds
/// the reply into the connection's <see cref="IsoMessageBuilder"/>. No I/O; thread-safe (shared by every connection);
/// allocates nothing.
/// </summary>
internal sealed class CardAuthoriser
{
    /// <summary>Fields echoed from an authorisation, advice or reversal into its answer.</summary>
    private static ReadOnlySpan<byte> EchoFields => [2, 3, 4, 7, 11, 12, 13, 32, 37, 41, 42, 49];

    /// <summary>Extra fields echoed into the answer of an advice (its stand-in approval code) and a reversal (DE90).</summary>
    private static ReadOnlySpan<byte> AdviceEchoFields => [38];
    private static ReadOnlySpan<byte> ReversalEchoFields => [90];

    /// <summary>Fields echoed into a network management answer.</summary>
    private static ReadOnlySpan<byte> NetworkEchoFields => [7, 11, 33, 70];

    private readonly IssuerRules _rules;
    private readonly IssuerLedger _ledger;
    private readonly ApprovalIndex _index;
    private volatile bool _answerNetworkManagement;

    public CardAuthoriser(IssuerRules rules, IssuerLedger ledger, ApprovalIndex index, bool answerNetworkManagement)
    {
        _rules = rules;
        _ledger = ledger;
        _index = index;
        _answerNetworkManagement = answerNetworkManagement;
    }

    public bool AnswerNetworkManagement
    {
        get => _answerNetworkManagement;
        set => _answerNetworkManagement = value;
    }

    /// <summary>
    /// Handles a parsed request; returns false when it gets no answer (a network management request while those are
    /// switched off, or a message that is not a request). The reply's DE39 says what was decided.
    /// </summary>
    public bool Answer(IsoMessage request, IsoMessageBuilder reply)
    {
        switch (request.Mti)
        {
            case Mti.AuthorisationRequest:
            case Mti.AuthorisationRequestRepeat:
            case Mti.FinancialRequest:
            case Mti.FinancialRequestRepeat:
                Authorise(request, reply);
                return true;
            case Mti.AuthorisationAdvice:
            case Mti.AuthorisationAdviceRepeat:
                BookAdvice(request, reply);
                return true;
            case Mti.ReversalRequest:
            case Mti.ReversalRequestRepeat:
            case Mti.ReversalAdvice:
            case Mti.ReversalAdviceRepeat:
                Reverse(request, reply);
                return true;
            case Mti.NetworkManagementRequest:
                return AnswerNetwork(request, reply);
            default:
                _ledger.InvalidRequest();
                if (!Mti.IsRequest(request.Mti)) return false;
                reply.Reset(Mti.ResponseOf(request.Mti)).CopyFrom(request, EchoFields);
                reply.SetAscii(39, "12"u8);
                return true;
        }
    }

    /// <summary>The answer to a request refused by the <c>error</c> fault: DE39 = 96, nothing booked.</summary>
    public static bool Refuse(IsoMessage request, IsoMessageBuilder reply)
    {
        if (!Mti.IsRequest(request.Mti)) return false;
        reply.Reset(Mti.ResponseOf(request.Mti)).CopyFrom(request, request.Mti == Mti.NetworkManagementRequest ? NetworkEchoFields : EchoFields);
        reply.SetAscii(39, "96"u8);
        return true;
    }

    /// <summary>The answer to a message that failed to parse but whose MTI could be read: DE39 = 30 (format error).</summary>
    public bool AnswerFormatError(int mti, IsoMessageBuilder reply)
    {
        _ledger.InvalidRequest();
        if (mti < 0 || !Mti.IsRequest(mti)) return false;
        reply.Reset(Mti.ResponseOf(mti)).SetAscii(39, "30"u8);
        return true;
    }

    private void Authorise(IsoMessage request, IsoMessageBuilder reply)
    {
        reply.Reset(Mti.ResponseOf(request.Mti)).CopyFrom(request, EchoFields);
        if (!TryReadKey(request, out CardTransactionKey key) || !request.TryGetInt64(4, out long amountMinor))
        {
            FormatError(reply);
            return;
        }

        Span<byte> panScratch = stackalloc byte[19];
        Span<byte> expiryScratch = stackalloc byte[4];
        if (!request.TryGetAscii(2, panScratch, out ReadOnlySpan<byte> pan)) pan = default;
        if (!request.TryGetAscii(14, expiryScratch, out ReadOnlySpan<byte> expiry)) expiry = default;

        IssuerDecision decision = _rules.Decide(amountMinor, pan, expiry);
        if (decision != IssuerDecision.Approved)
        {
            _ledger.Declined(amountMinor);
            reply.SetString(39, IssuerRules.ResponseCodeOf(decision));
            return;
        }

        switch (_index.TryBook(key, amountMinor, advice: false))
        {
            case BookOutcome.Booked:
                _ledger.Approved(amountMinor);
                Approve(reply, key);
                break;
            case BookOutcome.Duplicate:
                _ledger.DuplicateRequest();
                Approve(reply, key);
                break;
            default:
                _ledger.DeclinedAfterReversal(amountMinor);
                reply.SetAscii(39, "05"u8);
                break;
        }
    }

    private void BookAdvice(IsoMessage request, IsoMessageBuilder reply)
    {
        reply.Reset(Mti.ResponseOf(request.Mti)).CopyFrom(request, EchoFields).CopyFrom(request, AdviceEchoFields);
        // An advice that names the stand-in transaction in DE90 is booked under that name, so its repeats (0121,
        // sent with a new STAN) are recognised; without DE90 it is keyed by its own STAN, DE7 and DE32.
        Span<byte> de90 = stackalloc byte[42];
        bool named = request.TryGetAscii(90, de90, out ReadOnlySpan<byte> original);
        CardTransactionKey key = default;
        if (!(named ? TryReadOriginal(original, out key) : TryReadKey(request, out key)) || !request.TryGetInt64(4, out long amountMinor))
        {
            FormatError(reply);
            return;
        }
        switch (_index.TryBook(key, amountMinor, advice: true))
        {
            case BookOutcome.Booked:
                _ledger.Advice(amountMinor);
                reply.SetAscii(39, "00"u8);
                break;
            case BookOutcome.Duplicate:
                _ledger.DuplicateRequest();
                reply.SetAscii(39, "00"u8);
                break;
            default:
                _ledger.DeclinedAfterReversal(amountMinor);
                reply.SetAscii(39, "05"u8);
                break;
        }
    }

    private void Reverse(IsoMessage request, IsoMessageBuilder reply)
    {
        reply.Reset(Mti.ResponseOf(request.Mti)).CopyFrom(request, EchoFields).CopyFrom(request, ReversalEchoFields);
        Span<byte> scratch = stackalloc byte[42];
        if (!request.TryGetAscii(90, scratch, out ReadOnlySpan<byte> original) || !TryReadOriginal(original, out CardTransactionKey key))
        {
            FormatError(reply);
            return;
        }
        switch (_index.Reverse(key, out long amountMinor, out _))
        {
            case ReverseOutcome.Reversed:
                _ledger.Reversed(amountMinor);
                reply.SetAscii(39, "00"u8);
                break;
            case ReverseOutcome.AlreadyReversed:
                _ledger.DuplicateReversal();
                reply.SetAscii(39, "00"u8);
                break;
            default:
                _ledger.UnknownReversal();
                reply.SetAscii(39, "25"u8);
                break;
        }
    }

    private bool AnswerNetwork(IsoMessage request, IsoMessageBuilder reply)
    {
        if (!_answerNetworkManagement) return false;
        _ledger.NetworkManagement();
        reply.Reset(Mti.NetworkManagementResponse).CopyFrom(request, NetworkEchoFields);
        bool known = request.FieldEquals(70, "001"u8) || request.FieldEquals(70, "002"u8) || request.FieldEquals(70, "301"u8);
        reply.SetAscii(39, known ? "00"u8 : "12"u8);
        return true;
    }

    private void FormatError(IsoMessageBuilder reply)
    {
        _ledger.InvalidRequest();
        reply.Remove(38);
        reply.SetAscii(39, "30"u8);
    }

    private static void Approve(IsoMessageBuilder reply, in CardTransactionKey key)
    {
        reply.SetAscii(39, "00"u8);
        Span<byte> code = stackalloc byte[6];
        ApprovalCode.Write(key.Packed, code);
        reply.SetAscii(38, code);
    }

    /// <summary>The key of the request itself: DE11 and DE7 are required, DE32 is 0 when absent.</summary>
    private static bool TryReadKey(IsoMessage request, out CardTransactionKey key)
    {
        key = default;
        if (!request.TryGetInt64(11, out long stan) || !request.TryGetInt64(7, out long de7)) return false;
        if (!request.TryGetInt64(32, out long de32)) de32 = 0;
        Debug.Assert(stan <= 999_999);
        key = new CardTransactionKey((int)stan, de7, de32);
        return true;
    }

    /// <summary>
    /// The original's key from DE90 (n 42): original MTI (4), STAN (6), DE7 (10), DE32 (11, right-justified,
    /// zero-padded), DE33 (11). False when DE90 is not 42 digits.
    /// </summary>
    internal static bool TryReadOriginal(ReadOnlySpan<byte> de90, out CardTransactionKey key)
    {
        key = default;
        if (de90.Length != 42 || de90.ContainsAnyExceptInRange((byte)'0', (byte)'9')) return false;
        key = new CardTransactionKey((int)Digits(de90.Slice(4, 6)), Digits(de90.Slice(10, 10)), Digits(de90.Slice(20, 11)));
        return true;
    }

    private static long Digits(ReadOnlySpan<byte> digits)
    {
        long value = 0;
        foreach (byte b in digits) value = (value * 10) + (b - '0');
        return value;
    }
}
