using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PaymentSwitch.Iso8583;
using PaymentSwitch.LoadTest.Internal;
using PaymentSwitch.Metrics;

namespace PaymentSwitch.LoadTest;

/// <summary>
/// Runs one load test: opens the connections, paces requests open-loop on one scheduler thread, checks every answer,
/// and returns the figures. Latency is measured from each request's intended send time, so a stall of the target (or
/// of the harness) shows in the numbers instead of silently lowering the rate.
/// </summary>
public static class LoadTestRunner
{
    /// <summary>Runs a load test against <see cref="LoadTestOptions.TargetHost"/>.</summary>
    /// <param name="options">Validated with <see cref="LoadTestOptions.Validate"/>; invalid options throw <see cref="ArgumentException"/>.</param>
    /// <param name="dialect">Dialect of requests and answers.</param>
    /// <param name="progress">Where the progress lines go (null for none).</param>
    /// <param name="cancellationToken">Ends the schedule early; the run then drains and reports what it measured.</param>
    public static async Task<LoadTestResult> RunAsync(
        LoadTestOptions options, Dialect dialect, TextWriter? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(dialect);
        IReadOnlyList<string> problems = options.Validate();
        if (problems.Count > 0) throw new ArgumentException("Invalid load test options: " + string.Join(" ", problems), nameof(options));

        IReadOnlyList<int> missing = MissingFields(dialect);
        if (missing.Count > 0)
            throw new ArgumentException($"Dialect '{dialect.Name}' does not define field(s) {string.Join(", ", missing)}, which the harness sends or checks.", nameof(dialect));

        Framing framing = Framing.Parse(options.FramingName, options.Tpdu.HasValue);
        var emptyLatency = new HdrHistogram(RunContext.HighestTrackableMicros, RunContext.SignificantDigits);
        IPEndPoint? endPoint = await ResolveAsync(options, cancellationToken).ConfigureAwait(false);
        if (endPoint is null)
        {
            return new LoadTestResult(options, emptyLatency, emptyLatency.Copy(), emptyLatency.Copy())
            {
                FatalError = $"cannot resolve host '{options.TargetHost}'",
                Wire = $"{dialect.Name}, {framing}",
            };
        }

        var ctx = new RunContext(options, dialect, framing, endPoint);
        var connections = new LoadConnection[options.Connections];
        for (int i = 0; i < connections.Length; i++) connections[i] = new LoadConnection(ctx, i);

        long wallStart = Stopwatch.GetTimestamp();
        TimeSpan cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);

        int connected = await ConnectAllAsync(connections, cancellationToken).ConfigureAwait(false);
        if (connected == 0)
        {
            var failed = new LoadTestResult(options, emptyLatency, emptyLatency.Copy(), emptyLatency.Copy())
            {
                FatalError = $"could not connect to {options.TargetHost}:{options.TargetPort}: {FirstSample(ctx)}",
                Wire = $"{dialect.Name}, {framing}",
                Errors = new Dictionary<LoadErrorKind, long> { [LoadErrorKind.ConnectFailed] = connections.Length },
                TotalErrors = connections.Length,
                ErrorSamples = ctx.Samples.ToArray(),
            };
            return failed;
        }

        long start = Stopwatch.GetTimestamp() + RunContext.ToTicks(TimeSpan.FromMilliseconds(20));
        ctx.SetSchedule(start);
        DateTimeOffset startedAt = DateTimeOffset.UtcNow.AddMilliseconds(20);
        if (options.IsClosedLoop)
        {
            // Spread the terminals' first requests over one tick so they do not all go out at once.
            for (int i = 0; i < connections.Length; i++) connections[i].StartClosedLoop(start + (ctx.TickTicks * i / connections.Length));
        }

        long allocatedAtMeasuredStart = -1;
        var scheduler = new Scheduler(ctx, connections, _ => allocatedAtMeasuredStart = GC.GetTotalAllocatedBytes(false));
        var reporter = new ProgressReporter(ctx, connections, progress);
        reporter.Start();
        scheduler.Start();
        await using (cancellationToken.Register(() => ctx.EndScheduleAt(Stopwatch.GetTimestamp())).ConfigureAwait(false))
        {
            await scheduler.Completion.ConfigureAwait(false);
        }
        long allocatedAtEnd = GC.GetTotalAllocatedBytes(false);

        ctx.Stopping = true;
        await Task.WhenAll(connections.Select(c => c.CloseAsync())).ConfigureAwait(false);
        await reporter.StopAsync().ConfigureAwait(false);

        long wallEnd = Stopwatch.GetTimestamp();
        TimeSpan cpuEnd = Process.GetCurrentProcess().TotalProcessorTime;
        HdrHistogram service = ctx.MeasuredServiceTime.GetIntervalHistogram();
        var result = new LoadTestResult(options, reporter.MeasuredTotal, service, ctx.SchedulerLag)
        {
            Wire = $"{dialect.Name}, {framing}",
            StartedAt = startedAt,
            MeasuredSeconds = Math.Max(0, (double)(ctx.EndTicks - ctx.WarmupEndTicks) / Stopwatch.Frequency),
            WallSeconds = (double)(wallEnd - wallStart) / Stopwatch.Frequency,
            HarnessCpuSeconds = (cpuEnd - cpuStart).TotalSeconds,
            Gen0Collections = GC.CollectionCount(0) - gen0,
            Gen1Collections = GC.CollectionCount(1) - gen1,
            Gen2Collections = GC.CollectionCount(2) - gen2,
            Intervals = reporter.Intervals.ToArray(),
            ErrorSamples = ctx.Samples.ToArray(),
        };
        Summarise(result, connections);
        if (allocatedAtMeasuredStart >= 0 && result.MeasuredSent > 0)
            result.AllocatedBytesPerRequest = (double)(allocatedAtEnd - allocatedAtMeasuredStart) / result.MeasuredSent;
        return result;
    }

    /// <summary>Data elements the harness sends or checks: a dialect must define them all.</summary>
    public static IReadOnlyList<int> RequiredFields { get; } = [2, 3, 4, 7, 11, 12, 13, 14, 18, 22, 32, 37, 39, 41, 42, 49, 90];

    /// <summary>The <see cref="RequiredFields"/> that <paramref name="dialect"/> leaves undefined.</summary>
    public static IReadOnlyList<int> MissingFields(Dialect dialect)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        var missing = new List<int>();
        foreach (int field in RequiredFields)
        {
            if (dialect[field] is null) missing.Add(field);
        }
        return missing;
    }

    private static void Summarise(LoadTestResult result, LoadConnection[] connections)
    {
        var errors = new long[ConnectionCounters.ErrorKindCount];
        var codes = new long[100];
        long otherCodes = 0;
        long sent = 0, answered = 0, ok = 0, mSent = 0, mAnswered = 0, mOk = 0, backlogged = 0, late = 0, reversals = 0, reversalsUnavailable = 0;
        long firstSend = long.MaxValue, lastSend = 0, firstAnswer = long.MaxValue, lastAnswer = 0;
        foreach (LoadConnection c in connections)
        {
            ConnectionCounters k = c.Counters;
            for (int i = 0; i < errors.Length; i++) errors[i] += k.Errors[i];
            for (int i = 0; i < codes.Length; i++) codes[i] += k.ResponseCodes[i];
            otherCodes += k.OtherResponseCodes;
            sent += k.Sent;
            answered += k.Answered;
            ok += k.Ok;
            mSent += k.MeasuredSent;
            mAnswered += k.MeasuredAnswered;
            mOk += k.MeasuredOk;
            backlogged += k.Backlogged;
            late += k.LateAnswers;
            reversals += k.ReversalsSent;
            reversalsUnavailable += k.ReversalsUnavailable;
            if (k.FirstMeasuredSendTicks != 0) firstSend = Math.Min(firstSend, k.FirstMeasuredSendTicks);
            lastSend = Math.Max(lastSend, k.LastMeasuredSendTicks);
            if (k.FirstMeasuredAnswerTicks != 0) firstAnswer = Math.Min(firstAnswer, k.FirstMeasuredAnswerTicks);
            lastAnswer = Math.Max(lastAnswer, k.LastMeasuredAnswerTicks);
        }

        var errorMap = new Dictionary<LoadErrorKind, long>();
        long total = 0;
        foreach (LoadErrorKind kind in Enum.GetValues<LoadErrorKind>())
        {
            errorMap[kind] = errors[(int)kind];
            total += errors[(int)kind];
        }
        var codeMap = new SortedDictionary<string, long>(StringComparer.Ordinal);
        for (int i = 0; i < codes.Length; i++)
        {
            if (codes[i] > 0) codeMap[i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture)] = codes[i];
        }
        if (otherCodes > 0) codeMap["other"] = otherCodes;

        result.Errors = errorMap;
        result.TotalErrors = total;
        result.ResponseCodes = codeMap;
        result.Sent = sent;
        result.Answered = answered;
        result.AnsweredOk = ok;
        result.MeasuredSent = mSent;
        result.MeasuredAnswered = mAnswered;
        result.MeasuredOk = mOk;
        result.Backlogged = backlogged;
        result.LateAnswers = late;
        result.ReversalsSent = reversals;
        result.ReversalsUnavailable = reversalsUnavailable;
        result.MeasuredSendSpanSeconds = lastSend > firstSend ? (double)(lastSend - firstSend) / Stopwatch.Frequency : 0;
        result.MeasuredAnswerSpanSeconds = lastAnswer > firstAnswer ? (double)(lastAnswer - firstAnswer) / Stopwatch.Frequency : 0;
    }

    private static async Task<int> ConnectAllAsync(LoadConnection[] connections, CancellationToken cancellationToken)
    {
        using var gate = new SemaphoreSlim(64);
        var tasks = new Task<bool>[connections.Length];
        for (int i = 0; i < connections.Length; i++)
        {
            LoadConnection connection = connections[i];
            tasks[i] = ConnectOneAsync(connection, gate, cancellationToken);
        }
        bool[] results = await Task.WhenAll(tasks).ConfigureAwait(false);
        return results.Count(r => r);
    }

    private static async Task<bool> ConnectOneAsync(LoadConnection connection, SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await connection.ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private static async Task<IPEndPoint?> ResolveAsync(LoadTestOptions options, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(options.TargetHost, out IPAddress? address)) return new IPEndPoint(address, options.TargetPort);
        try
        {
            IPAddress[] addresses = await Dns.GetHostAddressesAsync(options.TargetHost, cancellationToken).ConfigureAwait(false);
            IPAddress? chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
            return chosen is null ? null : new IPEndPoint(chosen, options.TargetPort);
        }
        catch (SocketException)
        {
            return null;
        }
    }

    private static string FirstSample(RunContext ctx)
    {
        string[] samples = ctx.Samples.ToArray();
        return samples.Length > 0 ? samples[0] : "no connection succeeded";
    }
}
