using Microsoft.Extensions.Hosting;
using PaymentSwitch.Core.Acquiring;
using PaymentSwitch.Core.Metrics;

namespace PaymentSwitch.Host.Status;

/// <summary>
/// Owns the <see cref="SwitchMetrics"/> of the running switch. The operator endpoint is up while the switch starts
/// (journal check, warm-up), so the metrics are made once the runtime has started (its listeners open), and dropped
/// when this stops, before the runtime is torn down.
/// </summary>
internal sealed class StatusMonitor(SwitchRuntime runtime) : IHostedService, IDisposable
{
    private readonly Lock _gate = new();
    private SwitchMetrics? _metrics;
    private bool _stopped;

    public SwitchRuntime Runtime { get; } = runtime;

    /// <summary>The metrics, or null before the switch has started (and after it stopped).</summary>
    public SwitchMetrics? Metrics => Volatile.Read(ref _metrics);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Not awaited: the host goes on to open the operator endpoint while the switch starts.
        _ = Runtime.Started.ContinueWith(static (started, state) =>
        {
            if (started.IsCompletedSuccessfully) ((StatusMonitor)state!).CreateMetrics();
        }, this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return Task.CompletedTask;
    }

    private void CreateMetrics()
    {
        lock (_gate)
        {
            if (_stopped || _metrics is not null || Runtime.Engine is not { } engine) return;
            AcquirerListener[] listeners = [.. Runtime.Listeners]; // fixed once the runtime has started
            Volatile.Write(ref _metrics, new SwitchMetrics(engine, () => listeners, Runtime.StartedAt));
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stopped = true;
            Interlocked.Exchange(ref _metrics, null)?.Dispose();
        }
    }
}
