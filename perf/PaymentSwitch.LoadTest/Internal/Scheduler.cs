using System.Diagnostics;

namespace PaymentSwitch.LoadTest.Internal;

/// <summary>
/// The one thread that paces the run: every tick it pumps each connection (sweep timeouts, build the due requests
/// into one batch, one write). No timer per request. Then it drains: no new sends after the schedule, until every
/// request is answered or has timed out.
/// </summary>
internal sealed class Scheduler(RunContext ctx, LoadConnection[] connections, Action<long>? onMeasuredStart)
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Completion => _done.Task;

    /// <summary>Stopwatch ticks when the schedule ended and the drain finished.</summary>
    public long ScheduleEndedTicks { get; private set; }
    public long DrainEndedTicks { get; private set; }

    public void Start()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "loadtest-scheduler", Priority = ThreadPriority.AboveNormal };
        thread.Start();
    }

    private void Run()
    {
        try
        {
            RunCore();
            _done.SetResult();
        }
        catch (Exception ex)
        {
            _done.SetException(ex);
        }
    }

    private void RunCore()
    {
        long tick = ctx.TickTicks;
        long next = ctx.StartTicks;
        bool measuredStarted = false;
        // Requests due before the end may still go out for one timeout after it (a backlog catching up); after that
        // they count as unsent.
        while (true)
        {
            long now = Stopwatch.GetTimestamp();
            if (!measuredStarted && now >= ctx.WarmupEndTicks)
            {
                measuredStarted = true;
                onMeasuredStart?.Invoke(now);
            }
            ctx.Clock.Update();
            foreach (LoadConnection connection in connections) connection.Pump(now);

            long end = ctx.EndTicks;
            if (now >= end)
            {
                if (AllIdle(now)) break;
                if (now >= end + ctx.TimeoutTicks) break;
            }
            next += tick;
            long wait = next - Stopwatch.GetTimestamp();
            if (wait < -tick * 4) next = Stopwatch.GetTimestamp(); // fell behind: do not try to catch up tick by tick
            else PreciseSleep.For(wait);
        }

        ScheduleEndedTicks = Stopwatch.GetTimestamp();
        ctx.SendingClosed = true;

        // Drain: answers may still arrive; sweeps expire the rest one timeout after their send at the latest.
        long drainDeadline = ScheduleEndedTicks + ctx.TimeoutTicks + tick;
        while (true)
        {
            long now = Stopwatch.GetTimestamp();
            foreach (LoadConnection connection in connections) connection.Pump(now);
            if (AllIdle(now) || now >= drainDeadline) break;
            PreciseSleep.For(tick);
        }

        long finished = Stopwatch.GetTimestamp();
        foreach (LoadConnection connection in connections) connection.Finish(finished);
        DrainEndedTicks = finished;
    }

    private bool AllIdle(long now)
    {
        foreach (LoadConnection connection in connections)
        {
            if (!connection.IsIdleAfterSchedule(now)) return false;
        }
        return true;
    }
}
