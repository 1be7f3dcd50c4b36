using PaymentSwitch.Journal;
using PaymentSwitch.PerfTools;

namespace PaymentSwitch.JournalFloor;

/// <summary>The journal-floor tool's command line (<c>--name value</c>).</summary>
internal sealed class FloorOptions
{
    public const string Usage = """
        PaymentSwitch.JournalFloor - the latency that durability alone puts on an authorisation.

        Authorisations arrive open-loop at --rate; each appends a Forwarded-sized record to a real journal, waits until
        it is durable, appends an Outcome-sized record and waits again (money-safety rules 1 and 2), with no network,
        parsing or issuer in between. What this measures is a floor: the switch cannot answer faster than its journal
        does on the same disk.

        Usage:
          PaymentSwitch.JournalFloor [options]

          --rate N               authorisations per second (default 50000)
          --seconds S            measured seconds (default 20)
          --warmup S             seconds before measuring (default 3)
          --durability MODE      strict | batched | none (default strict)
          --direct true|false    strict appends with O_DIRECT|O_DSYNC (default true, as the switch)
          --inline-completion-max N
                                 batches of at most N records are completed on the writer thread (0-32;
                                 default 32, as the switch's Journal:InlineCompletionMax)
          --directory PATH       journal folder, created and deleted (default ./journal-floor-PID, on the disk the
                                 switch's journal would use when run from here)
          --forwarded-bytes N    payload of the first record (default 140)
          --outcome-bytes N      payload of the second record (default 48)
          --tick-us N            pacer period in microseconds (default 100)
          -h, --help             this text
        """;

    public bool HelpRequested { get; private set; }
    public int Rate { get; private set; } = 50_000;
    public int Seconds { get; private set; } = 20;
    public int WarmupSeconds { get; private set; } = 3;
    public DurabilityMode Durability { get; private set; } = DurabilityMode.Strict;
    public bool Direct { get; private set; } = true;
    public int InlineCompletionMax { get; private set; } = 32;
    public string Directory { get; private set; } = Path.Combine(Environment.CurrentDirectory, $"journal-floor-{Environment.ProcessId}");
    public int ForwardedBytes { get; private set; } = 140;
    public int OutcomeBytes { get; private set; } = 48;
    public int TickMicros { get; private set; } = 100;

    public static FloorOptions Parse(string[] args)
    {
        var options = new FloorOptions();
        options.HelpRequested = !ToolArguments.ForEachPair(args, options.Apply);
        return options;
    }

    private void Apply(string name, string value)
    {
        switch (name)
        {
            case "--rate": Rate = ToolArguments.WholeNumber(name, value, 1, 2_000_000); break;
            case "--seconds": Seconds = ToolArguments.WholeNumber(name, value, 1, 3600); break;
            case "--warmup": WarmupSeconds = ToolArguments.WholeNumber(name, value, 0, 600); break;
            case "--durability":
                Durability = value switch
                {
                    "strict" => DurabilityMode.Strict,
                    "batched" => DurabilityMode.Batched,
                    "none" => DurabilityMode.None,
                    _ => throw new ArgumentException($"--durability must be strict, batched or none, not '{value}'."),
                };
                break;
            case "--direct":
                Direct = value switch
                {
                    "true" => true,
                    "false" => false,
                    _ => throw new ArgumentException($"--direct must be true or false, not '{value}'."),
                };
                break;
            case "--inline-completion-max": InlineCompletionMax = ToolArguments.WholeNumber(name, value, 0, 32); break;
            case "--directory": Directory = Path.GetFullPath(value); break;
            case "--forwarded-bytes": ForwardedBytes = ToolArguments.WholeNumber(name, value, 1, 65_536); break;
            case "--outcome-bytes": OutcomeBytes = ToolArguments.WholeNumber(name, value, 1, 65_536); break;
            case "--tick-us": TickMicros = ToolArguments.WholeNumber(name, value, 10, 10_000); break;
            default: throw new ArgumentException($"unknown option '{name}'.");
        }
    }
}
