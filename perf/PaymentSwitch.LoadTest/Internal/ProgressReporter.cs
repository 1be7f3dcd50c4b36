using System.Diagnostics;
using System.Globalization;
using PaymentSwitch.Metrics;

namespace PaymentSwitch.LoadTest.Internal;

/// <summary>
/// Harvests the latency recorders once per interval: prints a progress line (rate, errors, in-flight, interval and
/// cumulative percentiles) and keeps the interval records and the cumulative measured histogram for the report.
/// Harvesting never stops the writers (see <see cref="ConcurrentHdrRecorder"/>).
/// </summary>
internal sealed class ProgressReporter
{
    private readonly RunContext _ctx;
    private readonly LoadConnection[] _connections;
    private readonly TextWriter? _output;
    private readonly HdrHistogram _interval;
    private readonly HdrHistogram _warmupInterval;
    private readonly HdrHistogram _display;
    private readonly List<LoadInterval> _intervals = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private long _lastTicks;
    private long _lastSent;
    private long _lastAnswered;
    private long _lastErrors;
    private long _lastBacklogged;

    public ProgressReporter(RunContext ctx, LoadConnection[] connections, TextWriter? output)
    {
        _ctx = ctx;
        _connections = connections;
        _output = output;
        _interval = ctx.MeasuredLatency.CreateCompatibleHistogram();
        _warmupInterval = ctx.WarmupLatency.CreateCompatibleHistogram();
        _display = ctx.MeasuredLatency.CreateCompatibleHistogram();
        MeasuredTotal = ctx.MeasuredLatency.CreateCompatibleHistogram();
        WarmupTotal = ctx.WarmupLatency.CreateCompatibleHistogram();
    }

    /// <summary>Every measured latency harvested so far.</summary>
    public HdrHistogram MeasuredTotal { get; }

    /// <summary>Every warm-up latency harvested so far.</summary>
    public HdrHistogram WarmupTotal { get; }

    public IReadOnlyList<LoadInterval> Intervals => _intervals;

    public void Start()
    {
        _lastTicks = _ctx.StartTicks;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Stops the periodic lines and harvests what is left (call after the scheduler has finished).</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        Harvest(Stopwatch.GetTimestamp(), print: false);
    }

    private async Task LoopAsync()
    {
        long period = RunContext.ToTicks(_ctx.Options.ProgressInterval);
        long next = _ctx.StartTicks + period;
        while (!_stop.IsCancellationRequested)
        {
            long wait = next - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            Harvest(Stopwatch.GetTimestamp(), print: !_ctx.Options.Quiet);
            next += period;
        }
    }

    private void Harvest(long now, bool print)
    {
        _ctx.WarmupLatency.GetIntervalHistogram(_warmupInterval);
        _ctx.MeasuredLatency.GetIntervalHistogram(_interval);
        WarmupTotal.Add(_warmupInterval);
        MeasuredTotal.Add(_interval);
        _display.Reset();
        _display.Add(_warmupInterval);
        _display.Add(_interval);

        long sent = 0, answered = 0, errors = 0, backlogged = 0, inFlight = 0;
        foreach (LoadConnection c in _connections)
        {
            ConnectionCounters k = c.Counters;
            sent += Volatile.Read(ref k.Sent);
            answered += Volatile.Read(ref k.Answered);
            errors += Volatile.Read(ref k.ErrorTotal);
            backlogged += Volatile.Read(ref k.Backlogged);
            inFlight += c.InFlight;
        }

        double seconds = Math.Max(1e-9, (double)(now - _lastTicks) / Stopwatch.Frequency);
        bool warmup = now < _ctx.WarmupEndTicks;
        HdrHistogram cumulative = MeasuredTotal.TotalCount > 0 ? MeasuredTotal : WarmupTotal;
        var interval = new LoadInterval(
            ElapsedSeconds: Math.Round((double)(now - _ctx.StartTicks) / Stopwatch.Frequency, 3),
            Warmup: warmup,
            SentPerSecond: Math.Round((sent - _lastSent) / seconds, 1),
            AnsweredPerSecond: Math.Round((answered - _lastAnswered) / seconds, 1),
            Errors: errors - _lastErrors,
            InFlight: inFlight,
            Backlogged: backlogged - _lastBacklogged,
            P50Micros: _display.GetValueAtPercentile(50),
            P99Micros: _display.GetValueAtPercentile(99),
            MaxMicros: _display.Max,
            CumulativeP99Micros: cumulative.GetValueAtPercentile(99));
        if (print || interval.SentPerSecond > 0 || interval.AnsweredPerSecond > 0 || interval.Errors > 0) _intervals.Add(interval);
        _lastTicks = now;
        _lastSent = sent;
        _lastAnswered = answered;
        _lastErrors = errors;
        _lastBacklogged = backlogged;

        if (print && _output is not null)
        {
            CultureInfo inv = CultureInfo.InvariantCulture;
            string line = string.Format(
                inv,
                "[{0,7:F1}s]{1} sent {2,9:N0}/s  answered {3,9:N0}/s  in-flight {4,6:N0}  errors {5,6:N0} (total {6:N0})  backlogged {7:N0}  p50 {8} p99 {9} max {10}  p99 so far {11}",
                interval.ElapsedSeconds,
                warmup ? " warm-up" : "        ",
                interval.SentPerSecond,
                interval.AnsweredPerSecond,
                interval.InFlight,
                interval.Errors,
                errors,
                interval.Backlogged,
                Reports.TextReport.FormatMicros(interval.P50Micros),
                Reports.TextReport.FormatMicros(interval.P99Micros),
                Reports.TextReport.FormatMicros(interval.MaxMicros),
                Reports.TextReport.FormatMicros(interval.CumulativeP99Micros));
            lock (_output) _output.WriteLine(line);
        }
    }
}
