using System.Diagnostics;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Core.Configuration;
using PaymentSwitch.Core.Issuers;
using PaymentSwitch.Core.Metrics;
using PaymentSwitch.Core.Routing;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Benchmarks;

/// <summary>
/// What <see cref="SwitchMetrics"/> adds to every answer: the engine's counters alone (baseline), with the metrics
/// subscribed (HDR recorder, per-code and bucket counters), and with a MeterListener enabling the duration histogram
/// (as dotnet-counters or OpenTelemetry would). One engine per case, issuer links never started (no I/O).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class SwitchMetricsBenchmarks
{
    private const int AnswersPerInvoke = 1024;
    private readonly long[] _elapsedTicks = new long[AnswersPerInvoke];
    private SwitchEngine _bare = null!;
    private SwitchEngine _measured = null!;
    private SwitchEngine _listened = null!;
    private SwitchMetrics _measuredMetrics = null!;
    private SwitchMetrics _listenedMetrics = null!;
    private MeterListener _listener = null!;
    private IssuerLink _bareCard = null!, _measuredCard = null!, _listenedCard = null!;
    private double _listenedSum;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        for (int i = 0; i < _elapsedTicks.Length; i++)
            _elapsedTicks[i] = (long)(Math.Exp(Math.Log(100e-6) + (random.NextDouble() * (Math.Log(0.5) - Math.Log(100e-6)))) * Stopwatch.Frequency);
        Dialect dialect = DialectLoader.LoadByName(BenchmarkPaths.Dialects, "iso87-ascii");
        (_bare, _bareCard) = NewEngine(dialect);
        (_measured, _measuredCard) = NewEngine(dialect);
        (_listened, _listenedCard) = NewEngine(dialect);
        _measuredMetrics = new SwitchMetrics(_measured);
        _listenedMetrics = new SwitchMetrics(_listened);
        _listener = new MeterListener();
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, _listenedMetrics.Meter) && instrument.Name == "paymentswitch.authorisation.duration") l.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((_, value, _, _) => _listenedSum += value);
        _listener.Start();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _listener.Dispose();
        _measuredMetrics.Dispose();
        _listenedMetrics.Dispose();
        foreach (SwitchEngine engine in (SwitchEngine[])[_bare, _measured, _listened]) engine.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = AnswersPerInvoke)]
    public void CountersOnly() => Answer(_bare, _bareCard);

    [Benchmark(OperationsPerInvoke = AnswersPerInvoke)]
    public void WithSwitchMetrics() => Answer(_measured, _measuredCard);

    [Benchmark(OperationsPerInvoke = AnswersPerInvoke)]
    public void WithSwitchMetricsAndMeterListener() => Answer(_listened, _listenedCard);

    private void Answer(SwitchEngine engine, IssuerLink card)
    {
        SwitchCounters counters = engine.Counters;
        long[] elapsed = _elapsedTicks;
        for (int i = 0; i < elapsed.Length; i++) counters.Answered((i & 15) == 0 ? ResponseCode.DoNotHonour : ResponseCode.Approved, elapsed[i], card);
    }

    private static (SwitchEngine Engine, IssuerLink Card) NewEngine(Dialect dialect)
    {
        var card = new CardIssuerLink(new IssuerOptions { Id = "card", Kind = "card", Endpoints = ["127.0.0.1:9"] }, dialect, NullLogger.Instance);
        var wallet = new WalletIssuerLink(new IssuerOptions { Id = "wallet", Kind = "wallet", BaseUrl = "http://127.0.0.1:9" }, NullLogger.Instance);
        var engine = new SwitchEngine(new BinRouter(BinRoutingTable.Empty), new IssuerDirectory([card, wallet]), new NoTransactionJournal(),
            "999999", 1024, NullLogger.Instance, recentCapacity: 1024);
        return (engine, card);
    }
}
