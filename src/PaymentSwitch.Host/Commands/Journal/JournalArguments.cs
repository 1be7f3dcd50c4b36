using System.Globalization;
using PaymentSwitch.Core.Configuration;
using PaymentSwitch.Host.Configuration;
using PaymentSwitch.Journal;

namespace PaymentSwitch.Host.Commands.Journal;

/// <summary>
/// The parsed command line of one <c>journal</c> verb. The journal is named by <c>--dir DIR</c>, or by
/// <c>--config FILE</c> (its <c>Journal:Directory</c>, resolved against the file's folder, with the usual
/// <c>PAYMENTSWITCH_</c> environment and <c>--Section:Key=value</c> overrides), or for <c>dump</c> by
/// <c>--segment FILE</c> (one segment file, for example one in <c>quarantine/</c>). The journal is judged as the switch
/// would open it: in the durability mode it was written in (<c>Journal:Durability</c> of the config, or
/// <c>--durability</c> with <c>--dir</c>; strict, the switch's default, when neither says), and with the config's
/// <c>Journal:QuarantineDamagedSegments</c>.
/// </summary>
internal sealed class JournalArguments
{
    private static readonly string[] VerifyOptions = ["dir", "config", "durability"];
    private static readonly string[] DumpOptions = ["dir", "config", "segment", "rrn", "terminal", "from", "to", "type", "json", "durability"];
    private static readonly string[] ReportOptions = ["dir", "config", "from", "to", "json", "durability"];

    /// <summary>The journal directory (full path); null when <see cref="SegmentFile"/> is given.</summary>
    public string? Directory { get; private init; }

    /// <summary>One segment file to read on its own (dump only).</summary>
    public string? SegmentFile { get; private init; }

    /// <summary>Where the directory came from, for messages.</summary>
    public string Source { get; private init; } = "";

    public DateTimeOffset? FromUtc { get; private init; }

    public DateTimeOffset? ToUtc { get; private init; }

    public string? Rrn { get; private init; }

    public string? Terminal { get; private init; }

    public JournalRecordKind Kind { get; private init; }

    public bool Json { get; private init; }

    /// <summary>The mode the journal was written in: whether a hole before valid records can be a torn last write.</summary>
    public DurabilityMode Durability { get; private init; } = DurabilityMode.Strict;

    /// <summary>Where <see cref="Durability"/> came from, for messages.</summary>
    public string DurabilitySource { get; private init; } = "the switch's default";

    /// <summary>The config's <c>Journal:QuarantineDamagedSegments</c>: damage is judged as the switch would then handle it.</summary>
    public bool AssumeQuarantine { get; private init; }

    public static JournalArguments Parse(string verb, string[] args)
    {
        string[] allowed = verb switch
        {
            "verify" => VerifyOptions,
            "dump" => DumpOptions,
            "report" => ReportOptions,
            _ => throw new JournalArgumentException($"'{verb}' is not a journal verb; expected verify, dump or report."),
        };

        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        var overrides = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
                throw new JournalArgumentException($"unexpected argument '{arg}'; options start with '--'.");
            string name = arg[2..];
            string? value = null;
            int equals = name.IndexOf('=');
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }
            if (name.Contains(':'))
            {
                // A configuration override (--Journal:Directory=...), for use with --config.
                value ??= i + 1 < args.Length ? args[++i] : throw new JournalArgumentException($"--{name} needs a value.");
                overrides.Add($"--{name}={value}");
                continue;
            }
            if (Array.IndexOf(allowed, name) < 0)
                throw new JournalArgumentException($"unknown option --{name} for 'journal {verb}' (allowed: {string.Join(", ", allowed.Select(a => "--" + a))}).");
            if (given.ContainsKey(name)) throw new JournalArgumentException($"--{name} is given twice.");
            if (name == "json")
            {
                if (value is not null) throw new JournalArgumentException("--json takes no value.");
                given[name] = "";
                continue;
            }
            if (value is null)
            {
                if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    throw new JournalArgumentException($"--{name} needs a value.");
                value = args[++i];
            }
            if (value.Length == 0) throw new JournalArgumentException($"--{name} needs a value.");
            given[name] = value;
        }

        int sources = (given.ContainsKey("dir") ? 1 : 0) + (given.ContainsKey("config") ? 1 : 0) + (given.ContainsKey("segment") ? 1 : 0);
        if (sources != 1)
            throw new JournalArgumentException(verb == "dump"
                ? "name the journal with exactly one of --dir DIR, --config FILE or --segment FILE."
                : "name the journal with exactly one of --dir DIR or --config FILE.");
        if (overrides.Count > 0 && !given.ContainsKey("config"))
            throw new JournalArgumentException($"{overrides[0]}: configuration overrides only apply with --config FILE.");
        if (given.ContainsKey("durability") && given.ContainsKey("config"))
            throw new JournalArgumentException("--durability is for --dir; with --config the journal's mode is its Journal:Durability (override it with --Journal:Durability=MODE).");
        if (given.ContainsKey("durability") && given.ContainsKey("segment"))
            throw new JournalArgumentException("--durability is for --dir; a single --segment file is read record by record, with no judgement of its damage.");
        DurabilityMode durability = DurabilityMode.Strict;
        string durabilitySource = "the switch's default";
        if (given.TryGetValue("durability", out string? mode))
        {
            if (!JournalSettings.TryParseDurability(mode.ToLowerInvariant(), out durability))
                throw new JournalArgumentException($"--durability '{mode}' is not one of strict, batched, none.");
            durabilitySource = "--durability";
        }

        DateTimeOffset? from = given.TryGetValue("from", out string? f) ? Instant("--from", f) : null;
        DateTimeOffset? to = given.TryGetValue("to", out string? t) ? Instant("--to", t) : null;
        if (from is not null && to is not null && to <= from)
            throw new JournalArgumentException($"--to ({to:O}) must be after --from ({from:O}).");

        JournalRecordKind kind = JournalRecordKind.All;
        if (given.TryGetValue("type", out string? type))
        {
            kind = type.ToLowerInvariant() switch
            {
                "forwarded" => JournalRecordKind.Forwarded,
                "outcome" => JournalRecordKind.Outcome,
                "reversal" => JournalRecordKind.Reversal,
                "advice" => JournalRecordKind.Advice,
                _ => throw new JournalArgumentException($"--type '{type}' is not one of forwarded, outcome, reversal, advice."),
            };
        }

        bool assumeQuarantine = false;
        string? directory = null, segment = null, source;
        if (given.TryGetValue("segment", out string? s))
        {
            segment = Path.GetFullPath(s);
            if (!File.Exists(segment)) throw new JournalArgumentException($"segment file '{segment}' does not exist.");
            source = "--segment " + segment;
        }
        else if (given.TryGetValue("dir", out string? d))
        {
            directory = CheckDirectory(Path.GetFullPath(d), "--dir");
            source = "--dir " + directory;
        }
        else
        {
            ConfigurationLoader config;
            try
            {
                config = ConfigurationLoader.Load(["--config", given["config"], .. overrides]);
            }
            catch (ConfigurationException ex)
            {
                throw new JournalArgumentException(ex.Message);
            }
            if (string.IsNullOrWhiteSpace(config.Options.Journal.Directory))
                throw new JournalArgumentException($"{config.ConfigPath}: Journal:Directory is empty.");
            directory = CheckDirectory(config.Resolve(config.Options.Journal.Directory), $"Journal:Directory of {config.ConfigPath}");
            source = $"Journal:Directory of {config.ConfigPath}";
            if (!JournalSettings.TryParseDurability(config.Options.Journal.Durability, out durability))
                throw new JournalArgumentException($"{config.ConfigPath}: Journal:Durability '{config.Options.Journal.Durability}' is not a mode (strict, batched or none).");
            durabilitySource = $"Journal:Durability of {config.ConfigPath}";
            assumeQuarantine = config.Options.Journal.QuarantineDamagedSegments;
        }

        return new JournalArguments
        {
            Directory = directory,
            SegmentFile = segment,
            Source = source,
            FromUtc = from,
            ToUtc = to,
            Rrn = given.TryGetValue("rrn", out string? rrn) ? rrn.Trim() : null,
            Terminal = given.TryGetValue("terminal", out string? terminal) ? terminal.Trim() : null,
            Kind = kind,
            Json = given.ContainsKey("json"),
            Durability = durability,
            DurabilitySource = durabilitySource,
            AssumeQuarantine = assumeQuarantine,
        };
    }

    /// <summary>The directory must exist and hold journal segments (or segments moved to quarantine/).</summary>
    private static string CheckDirectory(string directory, string source)
    {
        if (!System.IO.Directory.Exists(directory))
            throw new JournalArgumentException($"journal directory '{directory}' ({source}) does not exist. Check the path, or the Journal:Directory setting.");
        bool hasSegments = System.IO.Directory.EnumerateFiles(directory, "*.wal").Any(IsSegmentName);
        string quarantine = Path.Combine(directory, "quarantine");
        if (!hasSegments && !(System.IO.Directory.Exists(quarantine) && System.IO.Directory.EnumerateFiles(quarantine).Any()))
            throw new JournalArgumentException($"'{directory}' ({source}) holds no journal segments (files named like 00000000000000000001.wal): it is not a journal directory, or the switch has never run on it.");
        return directory;
    }

    private static bool IsSegmentName(string path)
    {
        string name = Path.GetFileName(path);
        return name.Length == 24 && name.AsSpan(0, 20).IndexOfAnyExceptInRange('0', '9') < 0;
    }

    private static DateTimeOffset Instant(string option, string text)
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset value))
            return value.ToUniversalTime();
        throw new JournalArgumentException($"{option} '{text}' is not an ISO 8601 date or time (for example 2025-06-01 or 2025-06-01T14:30:00Z).");
    }
}
