using Microsoft.Extensions.Hosting;
using PaymentSwitch.Core.Acquiring;
using PaymentSwitch.Core.Metrics;

namespace PaymentSwitch.Host.Status;

/// <summary>
/// Owns the <see cref="SwitchMetrics"/> of the running switch. Registered after <see cref="SwitchRuntime"/>, so it
/// starts once the engine exists and the listeners are open, and stops before the runtime is torn down.
/// </summary>
internal sealed class StatusMonitor(SwitchRuntime runtime) : IHostedService, IDisposable
{
    private SwitchMetrics? _metrics;

    public SwitchRuntime Runtime { get; } = runtime;

    /// <summary>The metrics, or null before the switch has started (and after it stopped).</summary>
    public SwitchMetrics? Metrics => Volatile.Read(ref _metrics);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Runtime.Engine is null)
            throw new InvalidOperationException("The status monitor must start after the switch runtime (register it after SwitchRuntime).");
        AcquirerListener[] listeners = [.. Runtime.Listeners]; // fixed once the runtime has started
        Volatile.Write(ref _metrics, new SwitchMetrics(Runtime.Engine, () => listeners, Runtime.StartedAt));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => Interlocked.Exchange(ref _metrics, null)?.Dispose();
}
