using System.Globalization;
using System.Text;
using System.Text.Json;
using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Core.Durability;
using PaymentSwitch.Core.Reversals;
using PaymentSwitch.Journal;

namespace PaymentSwitch.Host.Commands.Journal;

/// <summary>
/// One journal record decoded for people: its sequence, time, type and fields. The card number appears only as its
/// stored mask (first 6, last 4); the encrypted card number is never decrypted nor printed.
/// </summary>
internal sealed class JournalRecordView
{
    private JournalRecordView(in JournalRecord record)
    {
        Sequence = record.Sequence;
        TimestampUnixMs = record.TimestampUnixMs;
        RecordType = record.RecordType;
        PayloadBytes = record.Payload.Length;
        SegmentFile = record.SegmentFile;
        OffsetBytes = record.OffsetBytes;
    }

    public long Sequence { get; }
    public long TimestampUnixMs { get; }
    public byte RecordType { get; }
    public int PayloadBytes { get; }
    public string SegmentFile { get; }
    public long OffsetBytes { get; }

    /// <summary>False when the payload does not decode as its type (or the type is unknown).</summary>
    public bool Readable { get; private init; }

    /// <summary>The request as forwarded (Forwarded), or the original an acquirer reverses (ReversalRequested).</summary>
    public ForwardedRecord? Forwarded { get; private init; }

    /// <summary>ReversalRequested: who asked for it (the acquirer, or the switch for an approval it could not deliver).</summary>
    public ReversalReason RequestedReason { get; private init; }

    /// <summary>Outcome and reversal records: the Forwarded record they belong to.</summary>
    public long ForwardedSequence { get; private init; }

    public OutcomeRecord Outcome { get; private init; }

    /// <summary>ReversalCompleted and AdviceCompleted: the issuer's DE39.</summary>
    public ResponseCode ReversalAnswer { get; private init; }

    public TransactionRecordType Type => (TransactionRecordType)RecordType;

    public string TypeName => Readable ? Type.ToString() : Enum.IsDefined(Type) ? Type + " (UNREADABLE)" : $"type {RecordType} (UNKNOWN)";

    public DateTimeOffset TimeUtc => DateTimeOffset.FromUnixTimeMilliseconds(TimestampUnixMs);

    public static JournalRecordView Decode(in JournalRecord record)
    {
        ReadOnlySpan<byte> payload = record.Payload;
        switch ((TransactionRecordType)record.RecordType)
        {
            case TransactionRecordType.Forwarded:
                bool forwardedOk = ForwardedRecord.TryRead(payload, out ForwardedRecord? forwarded);
                return new JournalRecordView(record) { Readable = forwardedOk, Forwarded = forwarded };
            case TransactionRecordType.Outcome:
                bool outcomeOk = OutcomeRecord.TryRead(payload, out OutcomeRecord outcome) && Enum.IsDefined(outcome.Outcome);
                return new JournalRecordView(record) { Readable = outcomeOk, Outcome = outcome, ForwardedSequence = outcome.ForwardedSequence };
            case TransactionRecordType.ReversalRequested:
            case TransactionRecordType.AdviceReversalRequested:
                bool requestedOk = ReversalRequestedRecord.TryRead(payload, out long sequence, out ForwardedRecord? original, out ReversalReason reason);
                return new JournalRecordView(record) { Readable = requestedOk, Forwarded = original, ForwardedSequence = sequence, RequestedReason = reason };
            case TransactionRecordType.ReversalCompleted:
            case TransactionRecordType.AdviceCompleted:
            case TransactionRecordType.AdviceReversalCompleted:
                bool completedOk = ReversalRecord.TryRead(payload, out ReversalRecord completed);
                return new JournalRecordView(record) { Readable = completedOk, ReversalAnswer = completed.ResponseCode, ForwardedSequence = completed.ForwardedSequence };
            default:
                return new JournalRecordView(record) { Readable = false };
        }
    }

    /// <summary>Sequence of the Forwarded record of the transaction this record belongs to.</summary>
    public long TransactionSequence => Type == TransactionRecordType.Forwarded ? Sequence : ForwardedSequence;

    public bool IsOfKind(JournalRecordKind kind) => kind switch
    {
        JournalRecordKind.All => true,
        JournalRecordKind.Forwarded => Type == TransactionRecordType.Forwarded,
        JournalRecordKind.Outcome => Type == TransactionRecordType.Outcome,
        JournalRecordKind.Advice => Type == TransactionRecordType.AdviceCompleted,
        _ => Type is TransactionRecordType.ReversalRequested or TransactionRecordType.ReversalCompleted
            or TransactionRecordType.AdviceReversalRequested or TransactionRecordType.AdviceReversalCompleted,
    };

    /// <summary>One line: <c>#SEQ TIME TYPE field=value …</c>.</summary>
    public void WriteText(TextWriter w)
    {
        var line = new StringBuilder(256);
        line.Append('#').Append(Sequence.ToString(CultureInfo.InvariantCulture)).Append(' ')
            .Append(FormatTime(TimeUtc)).Append(' ').Append(TypeName);
        if (!Readable)
        {
            line.Append(" payloadBytes=").Append(PayloadBytes.ToString(CultureInfo.InvariantCulture))
                .Append(" segment=").Append(SegmentFile).Append(" offset=").Append(OffsetBytes.ToString(CultureInfo.InvariantCulture));
            w.WriteLine(line.ToString());
            return;
        }
        switch (Type)
        {
            case TransactionRecordType.Forwarded:
                AppendForwarded(line, Forwarded!);
                break;
            case TransactionRecordType.Outcome:
                Field(line, "of", "#" + ForwardedSequence.ToString(CultureInfo.InvariantCulture));
                Field(line, "outcome", Outcome.Outcome.ToString());
                Field(line, "rc", Code(Outcome.ResponseCode));
                if (Outcome.ApprovalCode.Length > 0) Field(line, "approval", Outcome.ApprovalCode);
                break;
            case TransactionRecordType.ReversalRequested:
            case TransactionRecordType.AdviceReversalRequested:
                Field(line, "of", "#" + ForwardedSequence.ToString(CultureInfo.InvariantCulture));
                Field(line, "reason", RequestedReason.ToString());
                AppendForwarded(line, Forwarded!);
                break;
            case TransactionRecordType.ReversalCompleted:
            case TransactionRecordType.AdviceCompleted:
            case TransactionRecordType.AdviceReversalCompleted:
                Field(line, "of", "#" + ForwardedSequence.ToString(CultureInfo.InvariantCulture));
                Field(line, "rc", Code(ReversalAnswer));
                break;
        }
        w.WriteLine(line.ToString());
    }

    /// <summary>One JSON object (JSON Lines when written one per line).</summary>
    public void WriteJson(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteNumber("sequence", Sequence);
        w.WriteString("timeUtc", FormatTime(TimeUtc));
        w.WriteString("type", Readable ? JsonNamingPolicy.CamelCase.ConvertName(Type.ToString()) : "unreadable");
        w.WriteNumber("recordType", RecordType);
        w.WriteString("segment", SegmentFile);
        w.WriteNumber("offset", OffsetBytes);
        if (!Readable)
        {
            w.WriteNumber("payloadBytes", PayloadBytes);
        }
        else
        {
            switch (Type)
            {
                case TransactionRecordType.Forwarded:
                    WriteForwardedJson(w, Forwarded!);
                    break;
                case TransactionRecordType.Outcome:
                    w.WriteNumber("forwardedSequence", ForwardedSequence);
                    w.WriteString("outcome", Outcome.Outcome.ToString());
                    w.WriteString("responseCode", Code(Outcome.ResponseCode));
                    w.WriteString("approvalCode", Outcome.ApprovalCode);
                    break;
                case TransactionRecordType.ReversalRequested:
                case TransactionRecordType.AdviceReversalRequested:
                    w.WriteNumber("forwardedSequence", ForwardedSequence);
                    w.WriteString("reason", RequestedReason.ToString());
                    w.WriteStartObject("original");
                    WriteForwardedJson(w, Forwarded!);
                    w.WriteEndObject();
                    break;
                case TransactionRecordType.ReversalCompleted:
                case TransactionRecordType.AdviceCompleted:
                case TransactionRecordType.AdviceReversalCompleted:
                    w.WriteNumber("forwardedSequence", ForwardedSequence);
                    w.WriteString("responseCode", Code(ReversalAnswer));
                    break;
            }
        }
        w.WriteEndObject();
    }

    public static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Code(ResponseCode code) => code.First == 0 ? "--" : code.ToString();

    private static void AppendForwarded(StringBuilder line, ForwardedRecord f)
    {
        Field(line, "mti", Iso8583.Mti.ToText(f.Mti));
        Field(line, "issuer", f.IssuerId);
        Field(line, "issuerStan", f.IssuerStan.ToString("D6", CultureInfo.InvariantCulture));
        Field(line, "issuerRrn", f.IssuerRrn);
        Field(line, "de7", f.TransmissionTime.ToString("D10", CultureInfo.InvariantCulture));
        Field(line, "amount", f.Amount.ToString(CultureInfo.InvariantCulture));
        Field(line, "currency", f.Currency);
        Field(line, "pc", f.ProcessingCode);
        Field(line, "acquirer", f.AcquirerId);
        Field(line, "terminal", f.TerminalId);
        Field(line, "merchant", f.MerchantId);
        Field(line, "stan", f.AcquirerStan.ToString("D6", CultureInfo.InvariantCulture));
        Field(line, "rrn", f.AcquirerRrn);
        Field(line, "pan", f.MaskedPan);
        Field(line, "panKey", f.PanKeyId);
    }

    private static void WriteForwardedJson(Utf8JsonWriter w, ForwardedRecord f)
    {
        w.WriteString("mti", Iso8583.Mti.ToText(f.Mti));
        w.WriteString("issuer", f.IssuerId);
        w.WriteNumber("issuerStan", f.IssuerStan);
        w.WriteString("issuerRrn", f.IssuerRrn);
        w.WriteString("transmissionTime", f.TransmissionTime.ToString("D10", CultureInfo.InvariantCulture));
        w.WriteNumber("amountMinor", f.Amount);
        w.WriteString("currency", f.Currency);
        w.WriteString("processingCode", f.ProcessingCode);
        w.WriteString("acquirer", f.AcquirerId);
        w.WriteString("terminal", f.TerminalId);
        w.WriteString("merchant", f.MerchantId);
        w.WriteNumber("stan", f.AcquirerStan);
        w.WriteString("rrn", f.AcquirerRrn);
        w.WriteString("maskedPan", f.MaskedPan);
        w.WriteString("panKeyId", f.PanKeyId);
    }

    /// <summary><c> name=value</c>; a value with spaces (or empty) is quoted so each line splits cleanly.</summary>
    private static void Field(StringBuilder line, string name, string value)
    {
        line.Append(' ').Append(name).Append('=');
        if (value.Length == 0 || value.AsSpan().IndexOfAny(" \"=") >= 0) line.Append('"').Append(value.Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
        else line.Append(value);
    }
}
