using Microsoft.Extensions.Logging;
using PaymentSwitch.Core.Configuration;
using PaymentSwitch.Core.Durability;
using PaymentSwitch.Core.Metrics;
using PaymentSwitch.Host.Configuration;
using PaymentSwitch.Journal;

namespace PaymentSwitch.Host;

/// <summary>Opens the write-ahead journal from the settings, replaying it, and says plainly what recovery did.</summary>
internal static class JournalStartup
{
    public static TransactionJournal Open(JournalSettings settings, ConfigurationLoader config, IJournalReplayHandler replay, ILogger log)
    {
        string directory = config.Resolve(settings.Directory);
        PanProtector pan = PanProtector.Create(settings.PanKey, settings.PanKeyId, Path.Combine(directory, "pan.key"), out bool created);
        if (created)
            log.LogWarning("No Journal:PanKey configured: created a key file in {Directory}. Set PAYMENTSWITCH_Journal__PanKey from a secret store in production and keep the key away from the journal.", directory);

        var fsyncLatency = new FsyncLatencyRecorder();
        JournalOptions options = OptionsFor(settings, directory, fsyncLatency);
        options.ArchiveDirectory = string.IsNullOrWhiteSpace(settings.ArchiveDirectory) ? null : config.Resolve(settings.ArchiveDirectory);
        WriteAheadJournal journal;
        RecoveryReport report;
        try
        {
            journal = WriteAheadJournal.Open(options, replay, out report);
        }
        catch (JournalCorruptException ex)
        {
            throw new ConfigurationException($"The journal in {directory} is damaged and the switch will not start on it: {ex.Message}");
        }
        catch (IOException ex)
        {
            throw new ConfigurationException($"The journal in {directory} cannot be opened: {ex.Message}");
        }
        if (report.TornTailBytesCut > 0)
            log.LogWarning("Journal recovery cut a torn tail of {Bytes} bytes (a write interrupted by a crash); nothing acknowledged was lost.", report.TornTailBytesCut);
        foreach (JournalDamage damage in report.Damages)
            log.LogWarning("Journal recovery: {Damage}", damage.ToString());
        if (report.ReplayCheckpointProblem is not null)
            log.LogWarning("Journal retain point not used, the whole journal is replayed: {Problem}", report.ReplayCheckpointProblem);
        log.LogInformation("Journal open in {Directory} ({Durability}): {Segments} segments, next sequence {Next}, replayed from {ReplayFrom}",
            directory, options.Durability, report.Segments.Count, report.NextSequence,
            report.ReplayedFromSequence > 0 ? $"sequence {report.ReplayedFromSequence} (the retain point)" : "the start");
        return new TransactionJournal(journal, pan, fsyncLatency);
    }

    /// <summary>
    /// The journal's options from the settings, for <paramref name="directory"/>: what the switch writes with (the
    /// archive folder apart, which the caller sets), so the warm-up's throwaway journal runs the same code.
    /// </summary>
    public static JournalOptions OptionsFor(JournalSettings settings, string directory, FsyncLatencyRecorder fsyncLatency) => new()
    {
        Directory = directory,
        Durability = settings.DurabilityMode,
        AllowUnsafeDurabilityNone = settings.AllowUnsafeNone,
        BatchedWindowMs = settings.BatchedWindowMs,
        SegmentSizeBytes = settings.SegmentSizeBytes,
        ZeroFillSegments = settings.ZeroFillSegments,
        DirectWrites = settings.DirectWrites,
        MinFreeBytes = settings.MinFreeBytes,
        RetentionAge = TimeSpan.FromHours(settings.RetentionHours),
        QuarantineDamagedSegments = settings.QuarantineDamagedSegments,
        InlineCompletionMax = settings.InlineCompletionMax,
        CompletionRunScope = TransactionJournal.CompletionRunScope,
        SyncObserver = fsyncLatency.Observe,
    };
}
