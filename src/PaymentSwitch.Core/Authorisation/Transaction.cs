using System.Buffers;
using System.Diagnostics;
using PaymentSwitch.Core.Acquiring;
using PaymentSwitch.Core.Issuers;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Core.Authorisation;

/// <summary>
/// One request on its way through the switch: the acquirer's message (its own copy of the bytes, so the parsed view
/// outlives the receive buffer), where it came from, the issuer and switch STAN it went out with, and the reply built
/// for the acquirer. Pooled: after warm-up a transaction costs no allocation.
/// </summary>
public sealed class Transaction
{
    private byte[] _requestBytes = new byte[512];
    private byte[] _reply = new byte[512];

    internal Transaction(SwitchEngine engine)
    {
        ContinueAfterForwarded = () => engine.AfterForwarded(this);
        ContinueAfterOutcome = () => engine.AfterOutcome(this);
    }

    /// <summary>The journal write being waited for (kept here so waiting allocates nothing).</summary>
    internal ValueTask<long> JournalTask;

    /// <summary>Whether this carries an acquirer's request or a reversal the switch owes an issuer.</summary>
    internal TransactionKind Kind;

    /// <summary>For <see cref="TransactionKind.Reversal"/>: the reversal being attempted.</summary>
    internal Reversals.PendingReversal? Reversal;

    /// <summary>Where this request sits in the duplicate window (valid when <see cref="HasRecent"/>).</summary>
    internal int RecentSlot;
    internal TransactionKey RecentKey;
    internal bool HasRecent;

    /// <summary>The issuer was unavailable: the switch decides in stand-in instead of sending.</summary>
    internal bool StandInAtDispatch;

    /// <summary>Journal sequence of this request's Forwarded record (its identity in the journal).</summary>
    public long ForwardedSequence { get; internal set; }

    private readonly byte[] _approvalCode = new byte[6];
    private int _approvalCodeLength;
    private byte[]? _journalStaging;

    /// <summary>The issuer's approval code (DE38), empty when none.</summary>
    public ReadOnlySpan<byte> ApprovalCode => _approvalCode.AsSpan(0, _approvalCodeLength);

    internal void ClearApprovalCode() => _approvalCodeLength = 0;

    internal void SetApprovalCode(ReadOnlySpan<byte> code)
    {
        _approvalCodeLength = Math.Min(code.Length, 6);
        code[.._approvalCodeLength].CopyTo(_approvalCode);
    }

    /// <summary>A buffer of at least <paramref name="length"/> bytes that lives as long as this transaction (journal backpressure).</summary>
    internal byte[] JournalStaging(int length)
    {
        if (_journalStaging is null || _journalStaging.Length < length) _journalStaging = new byte[Math.Max(length, 512)];
        return _journalStaging;
    }
    internal readonly Action ContinueAfterForwarded;
    internal readonly Action ContinueAfterOutcome;

    /// <summary>The acquirer's request, parsed over this transaction's own copy of its bytes.</summary>
    public IsoMessage Request { get; } = new();

    /// <summary>The acquirer connection the request came on (replies go back only there).</summary>
    public AcquirerConnection? Connection { get; internal set; }

    public Tpdu Tpdu { get; internal set; }

    public IssuerLink? Issuer { get; internal set; }

    /// <summary>The STAN the switch gave this request on its issuer (DE11 on the issuer side).</summary>
    public int IssuerStan { get; internal set; }

    /// <summary>The retrieval reference number the switch gave this request on its issuer (DE37).</summary>
    internal RetrievalReference IssuerRrn;

    /// <summary>The transmission date and time (DE7, MMDDhhmmss) the switch sent to the issuer.</summary>
    internal long IssuerTransmissionTime;

    /// <summary>The MTI of the message last built for the issuer (an answer must carry its response MTI).</summary>
    internal int IssuerMti;

    /// <summary>The message for the issuer did not fit the issuer link's frame limit, so it was not sent.</summary>
    internal bool IssuerRequestTooLarge;

    /// <summary>Position in the issuer's pending table; identifies this use of the pooled object.</summary>
    internal long PendingSequence;

    /// <summary><see cref="Stopwatch"/> timestamp when the request arrived.</summary>
    public long ReceivedTimestamp { get; internal set; }

    /// <summary><see cref="Stopwatch"/> timestamp after which the issuer's answer is too late.</summary>
    internal long DeadlineTimestamp;

    /// <summary>Amount (DE4) in minor units.</summary>
    public long Amount { get; internal set; }

    public ResponseCode ResponseCode { get; internal set; }

    /// <summary>How the outcome was reached.</summary>
    public TransactionOutcome Outcome { get; internal set; }

    internal bool CountsInFlight;

    /// <summary>The framed reply for the acquirer, built when the outcome is known.</summary>
    public ReadOnlySpan<byte> Reply => _reply.AsSpan(0, ReplyLength);

    internal int ReplyLength;

    /// <summary>Copies the received message into this transaction's buffer and returns the copy.</summary>
    internal ReadOnlyMemory<byte> LoadRequest(in ReadOnlySequence<byte> message)
    {
        int length = (int)message.Length;
        if (_requestBytes.Length < length) _requestBytes = new byte[Math.Max(length, _requestBytes.Length * 2)];
        message.CopyTo(_requestBytes);
        return _requestBytes.AsMemory(0, length);
    }

    /// <summary>
    /// Writes the framed reply (header, TPDU, message) built by <paramref name="builder"/> into the reply buffer.
    /// False, and no reply, when it does not fit <paramref name="framing"/>'s frame limit.
    /// </summary>
    internal bool SetReply(IsoMessageBuilder builder, Framing framing)
    {
        int messageLength = builder.MessageLength;
        if (!framing.Fits(messageLength))
        {
            ReplyLength = 0; // nothing to deliver: the caller answers otherwise (see SwitchEngine.FinishForwarded)
            return false;
        }
        int frameLength = framing.HeaderLength + messageLength;
        if (_reply.Length < frameLength) _reply = new byte[Math.Max(frameLength, _reply.Length * 2)];
        framing.WriteHeader(_reply, messageLength, Tpdu.IsEmpty ? default : Tpdu.ForReply());
        builder.WriteMessage(_reply.AsSpan(framing.HeaderLength, messageLength));
        ReplyLength = frameLength;
        return true;
    }

    internal void Reset()
    {
        Connection = null;
        Issuer = null;
        Tpdu = default;
        IssuerStan = 0;
        IssuerRrn = default;
        IssuerMti = 0;
        IssuerRequestTooLarge = false;
        IssuerTransmissionTime = 0;
        PendingSequence = 0;
        DeadlineTimestamp = 0;
        Amount = 0;
        ResponseCode = default;
        Outcome = TransactionOutcome.None;
        ReplyLength = 0;
        CountsInFlight = false;
        JournalTask = default;
        Kind = TransactionKind.Authorisation;
        Reversal = null;
        ForwardedSequence = 0;
        _approvalCodeLength = 0;
        RecentSlot = 0;
        RecentKey = default;
        HasRecent = false;
        StandInAtDispatch = false;
    }
}
