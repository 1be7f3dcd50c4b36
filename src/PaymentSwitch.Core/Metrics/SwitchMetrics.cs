using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using PaymentSwitch.Core.Acquiring;
using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Core.Issuers;
using PaymentSwitch.Core.Metrics.Internal;
using PaymentSwitch.Metrics;

namespace PaymentSwitch.Core.Metrics;

/// <summary>
/// The switch's operational figures: answers by issuer and response code, latency per issuer (HDR histograms, and
/// fixed buckets for Prometheus), throughput per second over the last minutes, and gauges read from the engine. They
/// are published through <see cref="System.Diagnostics.Metrics"/> (meter <see cref="MeterName"/>) for dotnet-counters
/// and OpenTelemetry, and read directly by the operator endpoint.
/// </summary>
/// <remarks>
/// <para>Hot path: the engine raises <see cref="SwitchCounters.AnswerRecorded"/> for every answer; the handler finds the
/// issuer's meter (a scan of a small fixed array), records into a <see cref="ConcurrentHdrRecorder"/> (lock-free) and
/// bumps counters with interlocked operations. It takes no lock and allocates nothing; the
/// <c>paymentswitch.authorisation.duration</c> instrument is recorded only while a listener has enabled it.</para>
/// <para>A sampler runs once a second on a timer: it harvests the recorders, keeps the per-second history and the
/// latency windows, and publishes an immutable <see cref="SwitchMetricsSnapshot"/> (<see cref="Latest"/>). Readers
/// never lock and never wait for it.</para>
/// <para>Memory is fixed: per issuer one recorder (two buffers per writer stripe, at most
/// <see cref="MaxWriterStripes"/> stripes) and eight histograms of about 150 KB, plus the history ring.</para>
/// </remarks>
public sealed partial class SwitchMetrics : IDisposable
{
    /// <summary>Name of the <see cref="System.Diagnostics.Metrics.Meter"/> the instruments belong to.</summary>
    public const string MeterName = "PaymentSwitch";

    /// <summary>The issuer label of answers the switch gives itself (no route, format error, shed, issuer unavailable, ...).</summary>
    public const string SwitchAnsweredLabel = "switch";

    /// <summary>Seconds of per-second throughput history kept.</summary>
    public const int HistorySeconds = 300;

    /// <summary>Latencies above this (two minutes) are counted at this value.</summary>
    public const long HighestTrackableMicroseconds = 120_000_000;

    /// <summary>Upper bound on the writer stripes of each latency recorder (each stripe costs two histograms).</summary>
    public const int MaxWriterStripes = 4;

    private const int SignificantDigits = 3;

    /// <summary>Bucket bounds (seconds, inclusive) of the Prometheus latency histograms.</summary>
    public static IReadOnlyList<double> LatencyBucketBoundsSeconds { get; } =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private static readonly double MicrosecondsPerTick = 1_000_000.0 / Stopwatch.Frequency;
    private static readonly double SecondsPerTick = 1.0 / Stopwatch.Frequency;

    private readonly SwitchEngine _engine;
    private readonly Func<IReadOnlyList<AcquirerListener>> _listeners;
    private readonly IssuerMeter[] _issuerMeters;
    private readonly IssuerMeter _switchMeter;
    private readonly IssuerMeter[] _allMeters;
    private readonly Histogram<double> _duration;
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private readonly Action<ResponseCode, long, IssuerLink?> _onAnswer;
    private SwitchMetricsSnapshot _latest = SwitchMetricsSnapshot.Empty;
    private int _disposed;

    /// <summary>Starts recording the engine's answers and sampling once a second.</summary>
    /// <param name="engine">The engine whose answers, issuers, reversals, routes and journal are measured.</param>
    /// <param name="listeners">The acquirer listeners (read at each collection; they may be opened after this call).</param>
    /// <param name="startedAtUtc">When the switch started (for uptime); now when not given.</param>
    /// <param name="timeProvider">Clock and timer for the sampler.</param>
    public SwitchMetrics(SwitchEngine engine, Func<IReadOnlyList<AcquirerListener>>? listeners = null,
        DateTimeOffset? startedAtUtc = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _engine = engine;
        _listeners = listeners ?? (static () => []);
        _time = timeProvider ?? TimeProvider.System;
        StartedAtUtc = startedAtUtc ?? _time.GetUtcNow();

        long[] boundTicks = new long[LatencyBucketBoundsSeconds.Count];
        for (int i = 0; i < boundTicks.Length; i++) boundTicks[i] = (long)Math.Round(LatencyBucketBoundsSeconds[i] * Stopwatch.Frequency);
        int stripes = Math.Min(Environment.ProcessorCount, MaxWriterStripes);
        IssuerLink[] links = engine.Issuers.All;
        _issuerMeters = new IssuerMeter[links.Length];
        for (int i = 0; i < links.Length; i++) _issuerMeters[i] = new IssuerMeter(links[i].Id, links[i], boundTicks, NewRecorder(stripes));
        _switchMeter = new IssuerMeter(SwitchAnsweredLabel, null, boundTicks, NewRecorder(stripes));
        _allMeters = [.. _issuerMeters, _switchMeter];

        _sampleInterval = _switchMeter.Recorder.CreateCompatibleHistogram();
        _overallInterval = _switchMeter.Recorder.CreateCompatibleHistogram();
        _overall = new LatencyWindow(_switchMeter.Recorder);
        _history = new ThroughputHistory(HistorySeconds);
        _fsyncRecorder = (engine.Journal as Durability.TransactionJournal)?.FsyncLatency?.Recorder;
        if (_fsyncRecorder is not null)
        {
            _fsync = new LatencyWindow(_fsyncRecorder);
            _fsyncInterval = _fsyncRecorder.CreateCompatibleHistogram();
        }
        _lastSampleTimestamp = _time.GetTimestamp();

        Meter = new Meter(MeterName, typeof(SwitchMetrics).Assembly.GetName().Version?.ToString());
        _duration = CreateInstruments(Meter);

        _onAnswer = OnAnswer;
        engine.Counters.AnswerRecorded += _onAnswer;
        _timer = _time.CreateTimer(static state => ((SwitchMetrics)state!).Sample(), this, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>The meter holding this switch's instruments (one per <see cref="SwitchMetrics"/>).</summary>
    public Meter Meter { get; }

    /// <summary>The engine measured.</summary>
    public SwitchEngine Engine => _engine;

    /// <summary>When the switch started.</summary>
    public DateTimeOffset StartedAtUtc { get; }

    /// <summary>The snapshot published by the last sample (at most about a second old).</summary>
    public SwitchMetricsSnapshot Latest => Volatile.Read(ref _latest);

    /// <summary>The last exception the sampler hit, if any (the sampler carries on; figures may be stale).</summary>
    public string? SamplerProblem { get; private set; }

    /// <summary>The acquirer listeners, as given at construction.</summary>
    public IReadOnlyList<AcquirerListener> Listeners => _listeners();

    /// <summary>Answers by issuer and response code since the metrics started (only non-zero counts). Allocates.</summary>
    public IReadOnlyList<IssuerAnswerCount> ReadAnswerCounts()
    {
        var counts = new List<IssuerAnswerCount>();
        foreach (IssuerMeter meter in _allMeters)
        {
            for (int code = 0; code < IssuerMeter.ResponseCodeSlots; code++)
            {
                long n = meter.AnswersWithCode(code);
                if (n != 0) counts.Add(new IssuerAnswerCount(meter.IssuerId, ResponseCode.FromIndex(code), n));
            }
        }
        return counts;
    }

    /// <summary>The Prometheus latency histogram of each issuer, then of the switch's own answers. Allocates.</summary>
    public IReadOnlyList<LatencyHistogram> ReadLatencyHistograms()
    {
        var histograms = new LatencyHistogram[_allMeters.Length];
        for (int i = 0; i < _allMeters.Length; i++) histograms[i] = _allMeters[i].ReadHistogram();
        return histograms;
    }

    private static ConcurrentHdrRecorder NewRecorder(int stripes) => new(1, HighestTrackableMicroseconds, SignificantDigits, stripes);

    private void OnAnswer(ResponseCode code, long elapsedTicks, IssuerLink? issuer)
    {
        IssuerMeter meter = MeterOf(issuer);
        if (elapsedTicks < 0) elapsedTicks = 0;
        meter.Record(code.Index, elapsedTicks, (long)(elapsedTicks * MicrosecondsPerTick));
        if (_duration.Enabled)
            _duration.Record(elapsedTicks * SecondsPerTick, new KeyValuePair<string, object?>("issuer", meter.IssuerId));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private IssuerMeter MeterOf(IssuerLink? issuer)
    {
        if (issuer is null) return _switchMeter;
        IssuerMeter[] meters = _issuerMeters;
        for (int i = 0; i < meters.Length; i++)
        {
            if (ReferenceEquals(meters[i].Link, issuer)) return meters[i];
        }
        Debug.Fail($"issuer link '{issuer.Id}' is not in the engine's directory");
        return _switchMeter;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _engine.Counters.AnswerRecorded -= _onAnswer;
        _timer.Dispose();
        Meter.Dispose();
    }
}
