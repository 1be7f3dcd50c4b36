using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PaymentSwitch.Host;

/// <summary>
/// Starts the <see cref="SwitchRuntime"/> under the host without holding the host's start: the journal check and the
/// warm-up can take tens of seconds, and the operator endpoint (liveness, readiness that says what is still missing,
/// status) must answer meanwhile, or a liveness probe would kill a switch that is only starting. The start begins once
/// the host has started (<see cref="StartedAsync"/>: the operator endpoint is bound), so whatever happens to it
/// afterwards goes through the host's ordinary stop. A start that fails stops the application
/// (<see cref="StartFailure"/> says why: exit 1); a stop signal during the start cancels it
/// (<see cref="StoppedWhileStarting"/>: exit 0), and nothing is accepted in either case.
/// </summary>
internal sealed class SwitchStartup(SwitchRuntime runtime, IHostApplicationLifetime lifetime, ILoggerFactory loggers) : IHostedLifecycleService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _log = loggers.CreateLogger("PaymentSwitch");
    private Task _start = Task.CompletedTask;

    /// <summary>Why the start failed, or null.</summary>
    public Exception? StartFailure { get; private set; }

    /// <summary>True when a stop came before the start was over.</summary>
    public bool StoppedWhileStarting { get; private set; }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs after every hosted service has started, the operator endpoint included.</summary>
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        _start = Task.Run(RunStartAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task RunStartAsync()
    {
        try
        {
            await runtime.StartAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            StoppedWhileStarting = true;
        }
        catch (Exception ex)
        {
            StartFailure = ex;
            _log.LogCritical(ex, "PaymentSwitch could not start: {Reason}", ex.Message);
            lifetime.StopApplication();
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        await _start.ConfigureAwait(false); // never throws: RunStartAsync keeps every failure
        if (StartFailure is null && !StoppedWhileStarting)
        {
            await runtime.StopAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        try
        {
            await runtime.DisposeAsync().ConfigureAwait(false); // whatever the start had opened
        }
        catch (Exception ex)
        {
            // The start's own outcome is what the exit code reports; this is logged, not thrown over it.
            _log.LogError(ex, "Closing what the interrupted start had opened failed: {Reason}", ex.Message);
        }
    }

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _stopping.Dispose();
}
