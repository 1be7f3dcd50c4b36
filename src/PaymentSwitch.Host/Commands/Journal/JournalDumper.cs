using System.Globalization;
using System.Text;
using System.Text.Json;
using PaymentSwitch.Core.Durability;
using PaymentSwitch.Journal;

namespace PaymentSwitch.Host.Commands.Journal;

/// <summary>
/// <c>journal dump</c>: one line per record (or one JSON object per line with <c>--json</c>), filtered by the
/// acquirer's RRN (DE37), terminal (DE41), time and record type. Outcome and reversal records carry no RRN or
/// terminal of their own: they match through the Forwarded record they name. Card numbers are shown masked only.
/// </summary>
internal sealed class JournalDumper : IJournalReplayHandler
{
    private readonly JournalArguments _arguments;
    private readonly Stream _output;
    private readonly StreamWriter _text;
    private readonly Utf8JsonWriter? _json;
    private readonly HashSet<long> _matchingTransactions = [];
    private readonly long _fromUnixMs;
    private readonly long _toUnixMs;

    private JournalDumper(JournalArguments arguments, Stream output)
    {
        _arguments = arguments;
        _output = output;
        _text = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { AutoFlush = false };
        _json = arguments.Json ? new Utf8JsonWriter(output) : null;
        _fromUnixMs = arguments.FromUtc?.ToUnixTimeMilliseconds() ?? long.MinValue;
        _toUnixMs = arguments.ToUtc?.ToUnixTimeMilliseconds() ?? long.MaxValue;
    }

    public long RecordsRead { get; private set; }
    public long RecordsShown { get; private set; }
    public long UnreadableRecords { get; private set; }

    public static int Run(JournalArguments arguments)
    {
        using var stdout = new BufferedStream(Console.OpenStandardOutput(), 1 << 16);
        var dumper = new JournalDumper(arguments, stdout);
        RecoveryReport scan = arguments.SegmentFile is string segment
            ? JournalScanner.ScanSegmentFile(segment, dumper)
            : JournalScanner.Scan(arguments.Directory!, dumper, arguments.AssumeQuarantine, arguments.Durability);
        dumper.Flush();
        stdout.Flush();

        if (!arguments.Json)
            Console.Error.WriteLine($"journal dump: {dumper.RecordsShown.ToString("N0", CultureInfo.InvariantCulture)} of {dumper.RecordsRead.ToString("N0", CultureInfo.InvariantCulture)} record(s) shown from {arguments.Source}.");
        if (scan.Damages.Count == 0 && dumper.UnreadableRecords == 0) return JournalCommand.ExitClean;

        Console.Error.WriteLine($"journal dump: the journal is damaged ({scan.Damages.Count} damaged place(s), {dumper.UnreadableRecords} unreadable record(s)); " +
            "only the records that could be read are shown. Run `journal verify` to see where and what to do.");
        foreach (JournalDamage damage in scan.Damages) Console.Error.WriteLine("  " + damage);
        return JournalCommand.ExitDamaged;
    }

    public void OnRecord(in JournalRecord record)
    {
        RecordsRead++;
        JournalRecordView view = JournalRecordView.Decode(record);
        if (!view.Readable) UnreadableRecords++;
        if (!MatchesTransaction(view) || !view.IsOfKind(_arguments.Kind)) return;
        if (view.TimestampUnixMs < _fromUnixMs || view.TimestampUnixMs >= _toUnixMs) return;
        RecordsShown++;
        if (_json is null)
        {
            view.WriteText(_text);
            return;
        }
        _text.Flush();
        _json.Reset(_output);
        view.WriteJson(_json);
        _json.Flush();
        _output.WriteByte((byte)'\n');
    }

    private void Flush()
    {
        _text.Flush();
        _json?.Flush();
    }

    /// <summary>The RRN and terminal filters: a Forwarded record matches on its own fields; later records through it.</summary>
    private bool MatchesTransaction(JournalRecordView view)
    {
        if (_arguments.Rrn is null && _arguments.Terminal is null) return true;
        if (!view.Readable) return false;
        switch (view.Type)
        {
            case TransactionRecordType.Forwarded:
                if (!Matches(view.Forwarded!)) return false;
                _matchingTransactions.Add(view.Sequence);
                return true;
            case TransactionRecordType.ReversalRequested:
                return _matchingTransactions.Contains(view.ForwardedSequence) || Matches(view.Forwarded!);
            default:
                return _matchingTransactions.Contains(view.ForwardedSequence);
        }
    }

    private bool Matches(ForwardedRecord r) =>
        (_arguments.Rrn is null || string.Equals(r.AcquirerRrn.Trim(), _arguments.Rrn, StringComparison.Ordinal))
        && (_arguments.Terminal is null || string.Equals(r.TerminalId, _arguments.Terminal, StringComparison.Ordinal));
}
