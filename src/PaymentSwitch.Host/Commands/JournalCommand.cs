using PaymentSwitch.Host.Commands.Journal;

namespace PaymentSwitch.Host.Commands;

/// <summary>
/// <c>journal verify|dump|report</c>: the operator's tools over the write-ahead journal. They only read (through the
/// journal's scanner, without its write lock), so they are safe beside a running switch. Exit 0 when the journal is
/// clean, 1 when it is damaged (or holds records that do not decode), 2 on bad arguments or a directory that is not
/// a journal.
/// </summary>
internal static class JournalCommand
{
    public const int ExitClean = 0;
    public const int ExitDamaged = 1;
    public const int ExitBadArguments = 2;

    public const string Usage = """
        usage: PaymentSwitch journal verify --dir DIR | --config FILE
               PaymentSwitch journal dump   --dir DIR | --config FILE | --segment FILE
                                            [--rrn RRN] [--terminal ID] [--from TIME] [--to TIME]
                                            [--type forwarded|outcome|reversal|advice] [--json]
               PaymentSwitch journal report --dir DIR | --config FILE [--from TIME] [--to TIME] [--json]

          verify     checks every record (checksum, sequence) and that every payload decodes; says what to do about damage
          dump       one line per record: sequence, UTC time, type, fields (card numbers masked: first 6, last 4)
          report     reconciliation: counts and amounts per issuer, acquirer (DE32), MTI, response code and currency;
                     approvals (issuer and stand-in) net of answered reversals; the reversals and advices still owed

          --dir DIR          the journal directory
          --config FILE      the switch's configuration: its Journal:Directory, relative to the file (environment
                             PAYMENTSWITCH_* and --Section:Key=value overrides apply as for the switch)
          --segment FILE     dump one segment file on its own (for example one in quarantine/)
          --rrn RRN          only the transaction(s) with this acquirer RRN (DE37)
          --terminal ID      only the transactions of this terminal (DE41)
          --from / --to      ISO 8601 UTC time (e.g. 2025-06-01 or 2025-06-01T14:30:00Z); from inclusive, to exclusive;
                             dump filters each record by its time, report selects transactions by the time they were forwarded
          --type             dump only forwarded, outcome, reversal (requested and completed, of requests and of advices)
                             or advice (completed) records
          --json             dump: one JSON object per line; report: one JSON document

        Reading never takes the journal's write lock: safe beside a running switch (whose last write may then show as a torn tail).
        Exit codes: 0 clean, 1 damaged or unreadable records, 2 bad arguments or not a journal directory.
        """;

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            (args.Length == 0 ? Console.Error : Console.Out).WriteLine(Usage);
            return args.Length == 0 ? ExitBadArguments : ExitClean;
        }
        string verb = args[0];
        try
        {
            JournalArguments arguments = JournalArguments.Parse(verb, args[1..]);
            return verb switch
            {
                "verify" => JournalVerifier.Run(arguments),
                "dump" => JournalDumper.Run(arguments),
                _ => JournalReporter.Run(arguments),
            };
        }
        catch (JournalArgumentException ex)
        {
            Console.Error.WriteLine($"journal {verb}: {ex.Message}");
            Console.Error.WriteLine("Run `PaymentSwitch journal --help` for usage.");
            return ExitBadArguments;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // A segment retired while being read, a permission problem, a file that is not a segment.
            Console.Error.WriteLine($"journal {verb}: cannot read the journal: {ex.Message}");
            return ExitBadArguments;
        }
    }
}
