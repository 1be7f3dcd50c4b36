using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using PaymentSwitch.Integration.Tests.Support;
using PaymentSwitch.Iso8583;
using Xunit.Abstractions;
using static PaymentSwitch.Integration.Tests.Support.Requests;

namespace PaymentSwitch.Integration.Tests;

/// <summary>
/// A seeded fuzzer against an in-process switch over real sockets: over a million mutated frames in large batched writes
/// on parallel connections, random bytes, lying and oversized length headers, half-sent frames, slow senders and
/// connection floods — while a well-behaved terminal sends authorisations the whole time and must never see an error.
/// </summary>
/// <remarks>
/// It saturates the CPU on purpose, so it runs alone (not beside other test classes, whose timing it would disturb and
/// which would disturb the good terminal's).
/// </remarks>
[Collection(HostileInputCollection.Name)]
public sealed partial class HostileInputTests(ITestOutputHelper output)
{
    private const int Seed = 8583;
    private const long FrameTarget = 1_000_000;
    private const int FuzzWorkers = 4;
    private const int IdleTimeoutMs = 2000;
    private const int FrameTimeoutMs = 500;
    private const int MaxConnectionsPerSource = 200;
    // What one connection may have in flight: bounds how much a hostile connection can queue at the issuer ahead of
    // the good terminal (past it, requests are answered 91 at once).
    private const int MaxInFlightPerConnection = 64;
    private const string GoodTerminal = "GOOD0001";

    [Fact]
    public async Task Switch_survives_a_million_hostile_frames_while_a_good_terminal_sees_no_error()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync(overrides:
        [
            $"--Acquirers:0:IdleTimeoutMs={IdleTimeoutMs}",
            $"--Acquirers:0:FrameTimeoutMs={FrameTimeoutMs}",
            $"--Acquirers:0:MaxConnectionsPerSource={MaxConnectionsPerSource}",
            $"--Acquirers:0:MaxInFlightPerConnection={MaxInFlightPerConnection}",
        ]);
        var logs = new LogAudit(sw.Logs);
        await using TestTerminal good = await sw.ConnectAsync();
        int stan = 0;
        for (int i = 0; i < 200; i++) await AssertApprovedAsync(good, ++stan); // warm-up (JIT, pools, journal)

        (long managedBefore, long workingSetBefore) = MeasureMemory(logs);
        long receivedBefore = sw.Runtime.Engine!.Counters.ReceivedTotal;
        var totals = new HostileTotals();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(150)); // a hang fails the checks below, not the runner
        var clock = Stopwatch.StartNew();

        // The well-behaved terminal: one authorisation after another, every answer must be 00, no disconnect.
        long goodAnswers = 0;
        string? goodError = null;
        var goodLatencies = new List<double>();
        using var fuzzDone = new CancellationTokenSource();
        using var goodDone = new CancellationTokenSource();
        Task goodLoop = Task.Run(async () =>
        {
            try
            {
                while (!goodDone.IsCancellationRequested)
                {
                    var t = Stopwatch.StartNew();
                    string? problem = await TryApprovedAsync(good, ++stan);
                    goodLatencies.Add(t.Elapsed.TotalMilliseconds);
                    if (problem is not null)
                    {
                        goodError = $"request {stan}: {problem}";
                        return;
                    }
                    goodAnswers++;
                }
            }
            catch (Exception ex)
            {
                goodError = $"request {stan}: {ex.GetType().Name}: {ex.Message}";
            }
        });

        Task fuzzers = Task.WhenAll(Enumerable.Range(0, FuzzWorkers).Select(w =>
            Task.Run(() => HostileInputSessions.FuzzAsync(sw.Acquirer, $"127.0.0.{10 + w}", Seed + w, totals,
                () => sw.Runtime.Engine.Counters.ReceivedTotal - receivedBefore, FrameTarget, FrameTimeoutMs, stop.Token))));
        Task flood = Task.Run(() => HostileInputSessions.FloodAsync(sw.Acquirer, "127.0.0.9", Seed + 100, rounds: 12, perRound: 250, totals, stop.Token));
        Task slow = Task.Run(() => HostileInputSessions.SlowAsync(sw.Acquirer, "127.0.0.8", Seed + 200, IdleTimeoutMs, totals, fuzzDone.Token));
        Task audit = Task.Run(async () =>
        {
            while (!fuzzDone.IsCancellationRequested)
            {
                logs.Drain();
                await Task.Delay(100);
            }
        });

        await Task.WhenAll(fuzzers, flood);
        TimeSpan fuzzDuration = clock.Elapsed;
        fuzzDone.Cancel();
        await Task.WhenAll(slow, audit);
        Assert.False(stop.IsCancellationRequested, "the hostile run did not finish within 150 s (a hang?)");

        // Every hostile connection is gone; only the good terminal remains (idle timeouts sweep up any straggler).
        // The good terminal keeps talking meanwhile (so it is not idle itself).
        var listener = sw.Runtime.Listeners[0];
        DateTime deadline = DateTime.UtcNow.AddMilliseconds(IdleTimeoutMs * 3);
        while (listener.ConnectionCount > 1 && DateTime.UtcNow < deadline && goodError is null) await Task.Delay(50);
        int connectionsAfter = listener.ConnectionCount;
        int sourcesAfter = listener.SourceCount;
        goodDone.Cancel();
        await goodLoop;
        logs.Drain();
        Assert.True(goodError is null, goodError + "\n" + string.Join("\n", logs.GoodAddressLines));

        // And a brand-new terminal is served.
        await using (TestTerminal fresh = await sw.ConnectAsync())
        {
            Authorisation(fresh.Builder, CardPan, 1000, stan: 1, terminal: "GOOD0002");
            await fresh.SendAsync();
            Assert.Equal("00", Text((await fresh.ReceiveAsync())!, 39));
        }

        (long managedAfter, long workingSetAfter) = MeasureMemory(logs);
        logs.Drain();
        long received = sw.Runtime.Engine.Counters.ReceivedTotal - receivedBefore;
        goodLatencies.Sort();

        output.WriteLine($"seed {Seed}; fuzz phase {fuzzDuration.TotalSeconds:F1} s");
        output.WriteLine($"frames sent by fuzzers: {totals.FramesSent:N0} ({totals.BytesSent / 1048576.0:F0} MiB) on {totals.Connections:N0} fuzz connections ({FuzzWorkers} in parallel); replies read back: {totals.ReplyFrames:N0}");
        output.WriteLine($"frames the switch handed to the engine (non-empty): {received:N0}");
        output.WriteLine($"connection endings: {string.Join(", ", Enum.GetValues<HostileEnding>().Select(e => $"{e} {totals.Endings[(int)e]}"))}; closes expected {totals.ExpectedCloses}, observed {totals.ObservedCloses}");
        output.WriteLine($"flood connections: {totals.FloodConnections:N0}; slow sessions: {totals.SlowSessions} (closed by the switch: {totals.SlowClosedBySwitch}); connects refused/reset: {totals.RefusedOrReset:N0}");
        output.WriteLine($"good terminal: {goodAnswers:N0} answers, all 00: {goodError is null}; latency median {Percentile(goodLatencies, 0.5):F2} ms, p99 {Percentile(goodLatencies, 0.99):F2} ms, max {Percentile(goodLatencies, 1):F2} ms");
        output.WriteLine($"connections after: {connectionsAfter} (sources {sourcesAfter}); managed heap {managedBefore / 1048576.0:F1} -> {managedAfter / 1048576.0:F1} MiB; working set {workingSetBefore / 1048576.0:F0} -> {workingSetAfter / 1048576.0:F0} MiB");
        output.WriteLine($"switch answers by DE39: {string.Join(", ", sw.Runtime.Engine.Counters.AnswersByResponseCode().Select(p => $"{p.Key} {p.Value}"))}; timed out {sw.Runtime.Engine.Counters.TimedOutTotal}, shed {sw.Runtime.Engine.Counters.ShedTotal}; card issuer approvals {sw.Card.Ledger.ApprovedCount:N0}");
        foreach (string line in logs.Notable.Values) output.WriteLine("  notable: " + line);
        output.WriteLine($"log lines: {logs.Lines:N0}; connection lines left out by the rate limit: {listener.SuppressedLogLines:N0}; reasons: {string.Join(", ", logs.Reasons.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value}"))}");

        Assert.Null(goodError);
        Assert.True(goodAnswers > 100, $"the good terminal got only {goodAnswers} answers");
        Assert.True(totals.FramesSent >= FrameTarget, $"only {totals.FramesSent} frames sent");
        Assert.True(received >= FrameTarget, $"the switch handled only {received} frames");
        Assert.True(totals.Connections >= 20, $"only {totals.Connections} fuzz connections");
        Assert.True(totals.FloodConnections >= 1000, $"only {totals.FloodConnections} flood connections");
        Assert.True(totals.ExpectedCloses > 0);
        Assert.True(totals.ExpectedCloses == totals.ObservedCloses, totals.FirstMissedClose);
        Assert.True(totals.SlowSessions >= 6);
        Assert.Equal(totals.SlowSessions, totals.SlowClosedBySwitch);
        Assert.Equal(1, connectionsAfter);
        Assert.Equal(1, sourcesAfter);
        Assert.Null(logs.PanFound);
        foreach (string reason in new[] { "frame-too-large", "frame-timeout", "idle-timeout", "source-limit" })
            Assert.True(logs.Reasons.ContainsKey(reason), $"no '{reason}' in the log");
        Assert.True(logs.Lines > 0);
        // Generous: the switch keeps bounded tables (recent transactions, duplicate window, pooled buffers) that fill up
        // during the run; growing without bound would show as hundreds of MiB after a million frames.
        Assert.True(managedAfter - managedBefore < 192L * 1024 * 1024, $"managed heap grew by {(managedAfter - managedBefore) / 1048576.0:F0} MiB");
    }

    private static async Task AssertApprovedAsync(TestTerminal terminal, int stan)
    {
        string? problem = await TryApprovedAsync(terminal, stan);
        Assert.True(problem is null, problem);
    }

    private static async Task<string?> TryApprovedAsync(TestTerminal terminal, int stan)
    {
        Authorisation(terminal.Builder, CardPan, 1000, stan % 999_999 + 1, terminal: GoodTerminal);
        await terminal.SendAsync();
        IsoMessage? reply = await terminal.ReceiveAsync(10_000);
        if (reply is null) return "the switch closed the good terminal's connection";
        string code = Text(reply, 39);
        if (code != "00") return $"DE39 {code}";
        string expected = (stan % 999_999 + 1).ToString("D6");
        return Text(reply, 11) == expected ? null : $"answer for STAN {Text(reply, 11)}, expected {expected}";
    }

    private static (long Managed, long WorkingSet) MeasureMemory(LogAudit logs)
    {
        logs.Drain();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long managed = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return (managed, process.WorkingSet64);
    }

    private static double Percentile(List<double> sorted, double p)
        => sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    /// <summary>
    /// Reads the captured log lines as they come (so holding them does not distort the memory check): every line is
    /// checked for a full PAN, and the connection reasons are tallied.
    /// </summary>
    private sealed partial class LogAudit(CapturedLogs logs)
    {
        private readonly ConcurrentQueue<string> _queue = logs.Lines as ConcurrentQueue<string>
            ?? throw new InvalidOperationException("CapturedLogs.Lines is expected to be the live queue");

        public long Lines { get; private set; }

        public string? PanFound { get; private set; }

        public Dictionary<string, long> Reasons { get; } = [];

        /// <summary>Lines about connections from 127.0.0.1 (the good terminals' address; hostile peers use others).</summary>
        public List<string> GoodAddressLines { get; } = [];

        /// <summary>The first line of each kind of error or issuer trouble (for the report).</summary>
        public Dictionary<string, string> Notable { get; } = [];

        public void Drain()
        {
            lock (Reasons)
            {
                while (_queue.TryDequeue(out string? line))
                {
                    Lines++;
                    if (PanFound is null && ContainsPan(line)) PanFound = line;
                    Match m = ReasonPattern().Match(line);
                    if (m.Success) Add(m.Groups["reason"].Value, 1);
                    Match s = SummaryPattern().Match(line);
                    if (s.Success) Add(s.Groups["reason"].Value, long.Parse(s.Groups["count"].Value));
                    if (line.Contains("format error in MTI", StringComparison.Ordinal)) Add("format-error (engine)", 1);
                    if (line.Contains(" 127.0.0.1:", StringComparison.Ordinal) && GoodAddressLines.Count < 20) GoodAddressLines.Add(line);
                    if ((line.StartsWith("Error", StringComparison.Ordinal) || line.Contains("PaymentSwitch.Issuer", StringComparison.Ordinal) || line.Contains("gets 96", StringComparison.Ordinal))
                        && Notable.Count < 30)
                        Notable.TryAdd(line[..Math.Min(line.Length, 90)], line);
                }
            }
        }

        private void Add(string reason, long count) => Reasons[reason] = Reasons.GetValueOrDefault(reason) + count;

        private static bool ContainsPan(string line)
        {
            foreach (string pan in HostileInputFrames.TemplatePans)
                if (line.Contains(pan, StringComparison.Ordinal)) return true;
            if (line.Contains(CardPan, StringComparison.Ordinal)) return true;
            foreach (Match digits in DigitRun().Matches(line))
                if (Luhn(digits.Value)) return true; // any card-like number (a mutated PAN too)
            return false;
        }

        private static bool Luhn(string digits)
        {
            int sum = 0;
            for (int i = 0; i < digits.Length; i++)
            {
                int d = digits[digits.Length - 1 - i] - '0';
                if (i % 2 == 1)
                {
                    d *= 2;
                    if (d > 9) d -= 9;
                }
                sum += d;
            }
            return sum % 10 == 0;
        }

        [GeneratedRegex(@"(closed|refused) \((?<reason>[a-z-]+)\)")]
        private static partial Regex ReasonPattern();

        [GeneratedRegex(@"(?<count>\d+) more '(?<reason>[a-z-]+)' connection events")]
        private static partial Regex SummaryPattern();

        [GeneratedRegex(@"(?<!\d)\d{13,19}(?!\d)")]
        private static partial Regex DigitRun();
    }
}

/// <summary>The hostile run's own collection: not run in parallel with anything else.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostileInputCollection
{
    public const string Name = "Hostile input (runs alone)";
}
