using System.Collections.Concurrent;
using System.Net;
using PaymentSwitch.Integration.Tests.Support;
using PaymentSwitch.Iso8583;
using static PaymentSwitch.Integration.Tests.Support.Requests;

namespace PaymentSwitch.Integration.Tests;

/// <summary>
/// Steady traffic for the status tests: terminals over real TCP, each keeping <c>pipeline</c> authorisations in flight,
/// one card number per terminal (cycled through the given list). Counts every answer by card number and response code.
/// </summary>
internal sealed class StatusLoad
{
    private static int s_nextTerminal;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<(string Pan, string Code), long> _answers = new();
    private readonly Task _traffic;
    private long _answered;

    private StatusLoad(TestTerminal[] terminals, string[] pans, int pipeline, int pauseMs)
    {
        _traffic = Task.WhenAll(terminals.Select((t, n) => Task.Run(() => RunTerminalAsync(t, pans[n % pans.Length], pipeline, pauseMs))));
    }

    public long Answered => Interlocked.Read(ref _answered);

    /// <summary>Answers so far for one card number and response code.</summary>
    public long Count(string pan, string code) => _answers.GetValueOrDefault((pan, code));

    /// <summary>All answers by response code.</summary>
    public IReadOnlyDictionary<string, long> ByCode() =>
        _answers.GroupBy(a => a.Key.Code).ToDictionary(g => g.Key, g => g.Sum(a => a.Value));

    public static async Task<StatusLoad> StartAsync(IPEndPoint acquirer, string[] pans, int terminals = 4, int pipeline = 10, int pauseMs = 0)
    {
        var connected = new TestTerminal[terminals];
        for (int i = 0; i < terminals; i++) connected[i] = await TestTerminal.ConnectAsync(acquirer, RunningSwitch.Ascii);
        return new StatusLoad(connected, pans, pipeline, pauseMs);
    }

    /// <summary>Waits until at least <paramref name="answers"/> answers arrived.</summary>
    public async Task WaitForAnswersAsync(long answers, int timeoutMs = 30_000)
    {
        DateTime deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (Answered < answers)
        {
            if (_traffic.IsCompleted) await _traffic; // surfaces a failure
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"only {Answered} of {answers} answers");
            await Task.Delay(20);
        }
    }

    /// <summary>Stops after the batches in flight are answered (every request sent gets its answer read).</summary>
    public async Task StopAsync()
    {
        _stop.Cancel();
        await _traffic;
    }

    private async Task RunTerminalAsync(TestTerminal terminal, string pan, int pipeline, int pauseMs)
    {
        string terminalId = $"S{Interlocked.Increment(ref s_nextTerminal):D7}";
        int stan = 0;
        await using (terminal)
        {
            while (!_stop.IsCancellationRequested)
            {
                for (int k = 0; k < pipeline; k++)
                {
                    Authorisation(terminal.Builder, pan, 1000 + k, stan++ % 999_999 + 1, terminal: terminalId);
                    await terminal.SendAsync();
                }
                for (int k = 0; k < pipeline; k++)
                {
                    IsoMessage reply = await terminal.ReceiveAsync(30_000) ?? throw new InvalidOperationException("the switch closed a terminal connection");
                    _answers.AddOrUpdate((pan, Text(reply, 39)), 1, (_, n) => n + 1);
                    Interlocked.Increment(ref _answered);
                }
                if (pauseMs > 0) await Task.Delay(pauseMs);
            }
        }
    }
}
