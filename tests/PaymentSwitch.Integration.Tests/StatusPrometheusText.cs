using System.Globalization;
using System.Text;

namespace PaymentSwitch.Integration.Tests;

/// <summary>
/// A strict reader of the Prometheus text exposition format 0.0.4, written for the tests: it refuses anything a
/// Prometheus server would refuse and a few things it would merely tolerate (samples without a TYPE, families split
/// apart, duplicate series, malformed histograms, negative or NaN counters, a missing final newline).
/// </summary>
internal sealed class StatusPrometheusText
{
    private static readonly string[] Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public sealed class Family(string name, string type)
    {
        public string Name { get; } = name;
        public string Type { get; } = type;
        public string? Help { get; set; }
        public List<Sample> Samples { get; } = [];

        /// <summary>Samples named exactly <paramref name="sampleName"/> whose labels include all of <paramref name="labels"/>.</summary>
        public IEnumerable<Sample> Where(string sampleName, params (string Key, string Value)[] labels) =>
            Samples.Where(s => s.Name == sampleName && labels.All(l => s.Labels.TryGetValue(l.Key, out string? v) && v == l.Value));
    }

    public Dictionary<string, Family> Families { get; } = new(StringComparer.Ordinal);

    public Family this[string name] => Families.TryGetValue(name, out Family? f) ? f : throw new KeyNotFoundException($"no metric family '{name}' in the exposition");

    /// <summary>The single sample named <paramref name="name"/> (a histogram's <c>_bucket</c>, <c>_sum</c>, <c>_count</c> too) with exactly the labels given.</summary>
    public double Value(string name, params (string Key, string Value)[] labels)
    {
        Family family = FamilyOf(this, name) ?? throw new KeyNotFoundException($"no metric family for '{name}' in the exposition");
        Sample[] matches = [.. family.Where(name, labels).Where(s => s.Labels.Count == labels.Length)];
        return matches.Length == 1 ? matches[0].Value : throw new InvalidOperationException($"{matches.Length} samples of {name} match");
    }

    public static StatusPrometheusText Parse(string text)
    {
        if (text.Length == 0 || text[^1] != '\n') throw Fail(0, "the exposition must end with a newline");
        var result = new StatusPrometheusText();
        var closed = new HashSet<string>(StringComparer.Ordinal); // families whose samples have ended
        var series = new HashSet<string>(StringComparer.Ordinal);
        var helped = new Dictionary<string, string>(StringComparer.Ordinal);
        Family? current = null;
        string[] lines = text[..^1].Split('\n');
        for (int n = 0; n < lines.Length; n++)
        {
            string line = lines[n];
            int lineNumber = n + 1;
            if (line.Length == 0) throw Fail(lineNumber, "empty line");
            if (line.StartsWith('#'))
            {
                string[] parts = line.Split(' ', 4);
                if (parts.Length >= 3 && parts[0] == "#" && parts[1] is "HELP" or "TYPE")
                {
                    string name = parts[2];
                    if (!IsMetricName(name)) throw Fail(lineNumber, $"bad metric name '{name}'");
                    if (parts[1] == "TYPE")
                    {
                        if (parts.Length != 4 || !Types.Contains(parts[3])) throw Fail(lineNumber, "TYPE needs one of " + string.Join(", ", Types));
                        if (result.Families.ContainsKey(name)) throw Fail(lineNumber, $"second TYPE for {name}");
                        if (current is not null) closed.Add(current.Name);
                        current = new Family(name, parts[3]);
                        result.Families.Add(name, current);
                        current.Help = helped.GetValueOrDefault(name);
                    }
                    else
                    {
                        if (parts.Length != 4 || parts[3].Length == 0) throw Fail(lineNumber, $"HELP for {name} has no text");
                        if (!helped.TryAdd(name, parts[3])) throw Fail(lineNumber, $"second HELP for {name}");
                        ValidateHelpEscapes(parts[3], lineNumber);
                        if (result.Families.TryGetValue(name, out Family? helpedFamily))
                        {
                            if (helpedFamily.Samples.Count > 0) throw Fail(lineNumber, $"HELP for {name} after its samples");
                            helpedFamily.Help = parts[3];
                        }
                    }
                }
                continue; // other comments are allowed
            }

            (string sampleName, Dictionary<string, string> labels, double value) = ParseSample(line, lineNumber);
            Family family = FamilyOf(result, sampleName) ?? throw Fail(lineNumber, $"sample {sampleName} has no TYPE line");
            if (!ReferenceEquals(family, current) || closed.Contains(family.Name)) throw Fail(lineNumber, $"samples of {family.Name} are not together");
            string key = sampleName + "{" + string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value)) + "}";
            if (!series.Add(key)) throw Fail(lineNumber, $"duplicate series {key}");
            if (family.Type == "counter" && (double.IsNaN(value) || value < 0)) throw Fail(lineNumber, $"counter {sampleName} is {value}");
            if (family.Type == "counter" && sampleName != family.Name) throw Fail(lineNumber, $"counter sample {sampleName} under TYPE {family.Name}");
            if (family.Type is "gauge" or "untyped" && sampleName != family.Name) throw Fail(lineNumber, $"sample {sampleName} under TYPE {family.Name}");
            family.Samples.Add(new Sample(sampleName, labels, value));
        }

        foreach (Family family in result.Families.Values)
        {
            if (family.Help is null) throw Fail(0, $"{family.Name} has no HELP");
            if (family.Type == "histogram") ValidateHistogram(family);
        }
        return result;
    }

    private static Family? FamilyOf(StatusPrometheusText result, string sampleName)
    {
        if (result.Families.TryGetValue(sampleName, out Family? exact) && exact.Type != "histogram") return exact;
        foreach (string suffix in (string[])["_bucket", "_sum", "_count"])
        {
            if (sampleName.EndsWith(suffix, StringComparison.Ordinal)
                && result.Families.TryGetValue(sampleName[..^suffix.Length], out Family? f) && f.Type is "histogram" or "summary")
                return f;
        }
        return exact;
    }

    private static void ValidateHistogram(Family family)
    {
        foreach (IGrouping<string, Sample> group in family.Samples.GroupBy(s => LabelKey(s.Labels, without: "le")))
        {
            Sample[] buckets = [.. group.Where(s => s.Name == family.Name + "_bucket")];
            if (buckets.Length == 0) throw Fail(0, $"{family.Name}{{{group.Key}}} has no buckets");
            double previousLe = double.NegativeInfinity, previousCount = 0;
            foreach (Sample bucket in buckets)
            {
                if (!bucket.Labels.TryGetValue("le", out string? leText)) throw Fail(0, $"{family.Name}_bucket without le");
                double le = ParseFloat(leText, 0);
                if (le <= previousLe) throw Fail(0, $"{family.Name}{{{group.Key}}}: le {leText} not increasing");
                if (bucket.Value < previousCount) throw Fail(0, $"{family.Name}{{{group.Key}}}: bucket le={leText} count decreases");
                previousLe = le;
                previousCount = bucket.Value;
            }
            if (!double.IsPositiveInfinity(previousLe)) throw Fail(0, $"{family.Name}{{{group.Key}}} has no +Inf bucket");
            Sample[] counts = [.. group.Where(s => s.Name == family.Name + "_count")];
            Sample[] sums = [.. group.Where(s => s.Name == family.Name + "_sum")];
            if (counts.Length != 1 || sums.Length != 1) throw Fail(0, $"{family.Name}{{{group.Key}}} needs one _sum and one _count");
            if (counts[0].Value != previousCount) throw Fail(0, $"{family.Name}{{{group.Key}}}: _count {counts[0].Value} != +Inf bucket {previousCount}");
            if (sums[0].Value < 0 || double.IsNaN(sums[0].Value)) throw Fail(0, $"{family.Name}{{{group.Key}}}: bad _sum");
        }
    }

    private static string LabelKey(IReadOnlyDictionary<string, string> labels, string without) =>
        string.Join(",", labels.Where(l => l.Key != without).OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value));

    private static (string Name, Dictionary<string, string> Labels, double Value) ParseSample(string line, int lineNumber)
    {
        int i = 0;
        while (i < line.Length && line[i] is not ('{' or ' ')) i++;
        string name = line[..i];
        if (!IsMetricName(name)) throw Fail(lineNumber, $"bad metric name '{name}'");
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                if (i < line.Length && line[i] == '}') { i++; break; }
                int start = i;
                while (i < line.Length && line[i] != '=') i++;
                string labelName = line[start..i];
                if (!IsLabelName(labelName)) throw Fail(lineNumber, $"bad label name '{labelName}'");
                if (i + 1 >= line.Length || line[i + 1] != '"') throw Fail(lineNumber, "label value must be quoted");
                i += 2;
                var value = new StringBuilder();
                while (true)
                {
                    if (i >= line.Length) throw Fail(lineNumber, "unterminated label value");
                    char c = line[i++];
                    if (c == '"') break;
                    if (c == '\\')
                    {
                        if (i >= line.Length) throw Fail(lineNumber, "dangling escape");
                        char e = line[i++];
                        value.Append(e switch { '\\' => '\\', '"' => '"', 'n' => '\n', _ => throw Fail(lineNumber, $"bad escape \\{e}") });
                    }
                    else value.Append(c);
                }
                if (!labels.TryAdd(labelName, value.ToString())) throw Fail(lineNumber, $"label {labelName} twice");
                if (i < line.Length && line[i] == ',') { i++; continue; }
                if (i < line.Length && line[i] == '}') { i++; break; }
                throw Fail(lineNumber, "expected , or } after a label");
            }
        }
        if (i >= line.Length || line[i] != ' ') throw Fail(lineNumber, "expected one space before the value");
        string[] rest = line[(i + 1)..].Split(' ');
        if (rest.Length is < 1 or > 2 || rest.Any(r => r.Length == 0)) throw Fail(lineNumber, "expected a value and an optional timestamp");
        double parsed = ParseFloat(rest[0], lineNumber);
        if (rest.Length == 2 && !long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)) throw Fail(lineNumber, "bad timestamp");
        return (name, labels, parsed);
    }

    private static double ParseFloat(string text, int lineNumber) => text switch
    {
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ when text.All(c => char.IsAsciiDigit(c) || c is '.' or 'e' or 'E' or '+' or '-')
               && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) => v,
        _ => throw Fail(lineNumber, $"'{text}' is not a number"),
    };

    private static void ValidateHelpEscapes(string help, int lineNumber)
    {
        for (int i = 0; i < help.Length; i++)
        {
            if (help[i] != '\\') continue;
            if (i + 1 >= help.Length || help[i + 1] is not ('\\' or 'n')) throw Fail(lineNumber, "bad escape in HELP");
            i++;
        }
    }

    private static bool IsMetricName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] is '_' or ':') && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':');

    private static bool IsLabelName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static FormatException Fail(int line, string message) =>
        new(line > 0 ? $"exposition line {line}: {message}" : "exposition: " + message);
}
