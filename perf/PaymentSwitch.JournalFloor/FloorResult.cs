using System.Text.Json;
using PaymentSwitch.Journal;

namespace PaymentSwitch.JournalFloor;

/// <summary>What one run measured; printed as text and as one JSON line.</summary>
internal sealed record FloorResult(
    FloorOptions Options,
    JournalStats Journal,
    double AchievedPerSecond,
    long Scheduled,
    long Completed,
    long OverOneMs,
    long Failed,
    string? FirstFailure,
    FloorLatency FromIntended,
    FloorLatency FromDispatch,
    FloorLatency EachAppend)
{
    /// <summary>Every scheduled authorisation completed, none failed.</summary>
    public bool Passed => Failed == 0 && Completed == Scheduled;

    public string ToText()
    {
        string mode = Options.Durability.ToString().ToLowerInvariant() + (Journal.DirectWrites ? " (direct writes)" : "");
        double share = Completed == 0 ? 0 : 100.0 * OverOneMs / Completed;
        return $"""
            journal floor: {Options.Rate:N0} authorisations/s for {Options.Seconds} s, journal {mode} in {Options.Directory}
              achieved {AchievedPerSecond:N0}/s; completed {Completed:N0} of {Scheduled:N0}; failed {Failed:N0}{(FirstFailure is null ? "" : " (" + FirstFailure + ")")}
              authorisation, from intended arrival: {FromIntended}
              authorisation, from dispatch:         {FromDispatch}
              each durable append:                  {EachAppend}
              over 1 ms from intended arrival: {OverOneMs:N0} ({share:F2}%)
              journal: {Journal.FsyncCount:N0} durable writes, {Journal.RecordsPerFsyncMean:F1} records each, mean {Journal.FsyncLatencyMeanMicroseconds:F0} µs, max {Journal.FsyncLatencyMaxMicroseconds:F0} µs
            """;
    }

    public string ToJson() => JsonSerializer.Serialize(new
    {
        rate = Options.Rate,
        seconds = Options.Seconds,
        durability = Options.Durability.ToString().ToLowerInvariant(),
        directWrites = Journal.DirectWrites,
        inlineCompletionMax = Options.InlineCompletionMax,
        achievedPerSecond = Math.Round(AchievedPerSecond),
        scheduled = Scheduled,
        completed = Completed,
        failed = Failed,
        overOneMs = OverOneMs,
        fromIntended = FromIntended,
        fromDispatch = FromDispatch,
        eachAppend = EachAppend,
        durableWrites = Journal.FsyncCount,
        recordsPerWrite = Math.Round(Journal.RecordsPerFsyncMean, 1),
        writeMeanMicros = Math.Round(Journal.FsyncLatencyMeanMicroseconds),
        writeMaxMicros = Math.Round(Journal.FsyncLatencyMaxMicroseconds),
    }, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase });
}
