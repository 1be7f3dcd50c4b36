using PaymentSwitch.Core.Metrics.Internal;
using PaymentSwitch.Metrics;

namespace PaymentSwitch.Core.Metrics;

public sealed partial class SwitchMetrics
{
    private readonly HdrHistogram _sampleInterval;   // recycled harvest target
    private readonly HdrHistogram _overallInterval;  // all meters' harvests of one sample
    private readonly LatencyWindow _overall;
    private readonly ConcurrentHdrRecorder? _fsyncRecorder; // the journal's fdatasync durations, when it records them
    private readonly LatencyWindow? _fsync;                 // set exactly when _fsyncRecorder is
    private readonly HdrHistogram? _fsyncInterval;
    private readonly ThroughputHistory _history;
    private long _lastSampleTimestamp;
    private int _samplesInSlot;
    private int _sampling;

    /// <summary>
    /// Harvests the recorders and publishes a new <see cref="Latest"/>. Runs on the timer once a second; a tick while
    /// another sample is running is skipped. Sampler state is touched only by the holder of <c>_sampling</c>.
    /// </summary>
    private void Sample()
    {
        if (Interlocked.Exchange(ref _sampling, 1) != 0) return;
        SampleHoldingFlag();
    }

    /// <summary>Samples now, waiting for a sample in progress to finish first (for tests and tools).</summary>
    internal void SampleNow()
    {
        var spin = new SpinWait();
        while (Interlocked.Exchange(ref _sampling, 1) != 0) spin.SpinOnce();
        SampleHoldingFlag();
    }

    private void SampleHoldingFlag()
    {
        try
        {
            long now = _time.GetTimestamp();
            double seconds = Math.Max(_time.GetElapsedTime(_lastSampleTimestamp, now).TotalSeconds, 0.001);
            _lastSampleTimestamp = now;

            _overallInterval.Reset();
            foreach (IssuerMeter meter in _allMeters)
            {
                meter.Recorder.GetIntervalHistogram(_sampleInterval);
                meter.Latency.Add(_sampleInterval);
                _overallInterval.Add(_sampleInterval);
            }
            _overall.Add(_overallInterval);
            if (_fsyncRecorder is not null)
            {
                _fsyncRecorder.GetIntervalHistogram(_fsyncInterval!);
                _fsync!.Add(_fsyncInterval!);
            }

            long answers = _overallInterval.TotalCount;
            _history.Add(answers, answers == 0 ? 0 : _overallInterval.GetValueAtPercentile(99) / 1000.0);

            var issuers = new IssuerLatencySnapshot[_allMeters.Length];
            for (int i = 0; i < _allMeters.Length; i++)
            {
                IssuerMeter meter = _allMeters[i];
                issuers[i] = new IssuerLatencySnapshot(meter.IssuerId, meter.Latency.SummariseLastMinute(), meter.Latency.SummariseSinceStart());
            }
            var snapshot = new SwitchMetricsSnapshot(
                _time.GetUtcNow(), answers / seconds, _history.SumOfLast(60), _history.CopyAnswers(), _history.CopyP99Ms(),
                _overall.SummariseLastMinute(), _overall.SummariseSinceStart(), issuers,
                _fsync?.SummariseLastMinute() ?? LatencySummary.Empty, _fsync?.SummariseSinceStart() ?? LatencySummary.Empty);

            // The window always covers the last 51 to 60 seconds: rotate after summarising.
            if (++_samplesInSlot == LatencyWindow.SlotSeconds)
            {
                _samplesInSlot = 0;
                _overall.Rotate();
                _fsync?.Rotate();
                foreach (IssuerMeter meter in _allMeters) meter.Latency.Rotate();
            }
            Volatile.Write(ref _latest, snapshot);
            SamplerProblem = null;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IndexOutOfRangeException or OverflowException)
        {
            // A bug here must not take the switch down with it; /status shows it and the figures stop moving.
            SamplerProblem = ex.GetType().Name + ": " + ex.Message;
        }
        finally
        {
            Volatile.Write(ref _sampling, 0);
        }
    }
}
