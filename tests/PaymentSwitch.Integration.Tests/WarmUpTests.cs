using PaymentSwitch.Core.Configuration;
using PaymentSwitch.Core.Durability;
using PaymentSwitch.Host.WarmUp;
using PaymentSwitch.Integration.Tests.Support;
using PaymentSwitch.Iso8583;
using static PaymentSwitch.Integration.Tests.Support.Requests;

namespace PaymentSwitch.Integration.Tests;

/// <summary>
/// The warm-up before the listeners open (<c>Switch:WarmUpMaxSeconds</c>): real traffic through a throwaway engine,
/// journal and simulated issuers, of which nothing may reach the real switch, and which never stops a start.
/// </summary>
public class WarmUpTests
{
    [Fact]
    public async Task Warm_up_runs_traffic_through_its_own_engine_and_leaves_nothing_in_the_real_switch()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync(overrides: ["--Switch:WarmUpMaxSeconds=60"]);

        WarmUpReport report = Assert.IsType<WarmUpReport>(sw.Runtime.WarmUpResult);
        Assert.Null(report.Problem);
        Assert.True(report.Answers >= 1000, $"warm-up answered only {report.Answers}");
        Assert.Equal(report.Answers, report.Approved); // the simulated issuers approve every warm-up request
        Assert.True(report.MethodsCompiled > 0);
        Assert.Equal(WarmUpEnding.Settled, report.Ending);
        // Before the real listener opened, not after.
        List<string> lines = [.. sw.Logs.Lines];
        int warmedAt = lines.FindIndex(l => l.Contains("Warm-up: ", StringComparison.Ordinal) && l.Contains("authorisations", StringComparison.Ordinal));
        int listeningAt = lines.FindIndex(l => l.Contains(SwitchProcess.AcquirerListening, StringComparison.Ordinal));
        Assert.True(warmedAt >= 0 && listeningAt > warmedAt, $"warm-up logged at line {warmedAt}, listener at {listeningAt}");

        // None of it reached the real issuers, the real engine's counters, the real journal or the logs.
        Assert.Equal(0, sw.Card.Ledger.ApprovedCount + sw.Card.Ledger.DeclinedCount);
        Assert.Equal(0, sw.Wallet.Ledger.ApprovedCount + sw.Wallet.Ledger.DeclinedCount);
        Assert.Equal(0, sw.Runtime.Engine!.Counters.ReceivedTotal);
        var journal = Assert.IsType<TransactionJournal>(sw.Runtime.Journal);
        Assert.Equal(0, journal.Journal.DurableSequence);
        string journalDirectory = Path.Combine(sw.Directory, "journal");
        Assert.False(Directory.Exists(SwitchWarmUp.FolderFor(journalDirectory)));
        Assert.DoesNotContain(sw.Logs.Lines, l => l.Contains("warm-up-card", StringComparison.Ordinal) || l.Contains("WARMUP", StringComparison.Ordinal));

        // The real switch then works as ever.
        await using TestTerminal terminal = await sw.ConnectAsync();
        Authorisation(terminal.Builder, CardPan, 1234, stan: 4711);
        await terminal.SendAsync();
        IsoMessage reply = (await terminal.ReceiveAsync())!;
        Assert.Equal("00", Text(reply, 39));
        Assert.Equal(1, sw.Card.Ledger.ApprovedCount);
        Assert.Equal(1, sw.Runtime.Engine.Counters.ReceivedTotal);
        Assert.True(journal.Journal.DurableSequence >= 2); // Forwarded and Outcome
    }

    [Fact]
    public async Task Without_the_setting_there_is_no_warm_up()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync();
        Assert.Null(sw.Runtime.WarmUpResult);
        Assert.DoesNotContain(sw.Logs.Lines, l => l.Contains("Warm-up", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SIGTERM_during_the_warm_up_stops_the_switch_cleanly_without_opening_a_listener()
    {
        string dir = Directory.CreateTempSubdirectory("paymentswitch-warmup-").FullName;
        try
        {
            string config = EmbeddedSwitchConfig.Write(dir, SwitchProcess.FreePort(), SwitchProcess.FreePort(), SwitchProcess.FreePort(), SwitchProcess.FreePort());
            await using SwitchProcess sw = SwitchProcess.Start("--config", config, "--Switch:WarmUpMaxSeconds=120");
            Assert.True(await sw.WaitForOutputAsync("Warm-up: synthetic traffic", 60_000), sw.Output);
            await Task.Delay(300); // inside the warm-up: a fresh process needs seconds of it before it may settle

            sw.Terminate();

            Assert.Equal(0, await sw.WaitForExitAsync(60_000));
            Assert.Contains("Stopped while starting: no listener was opened", sw.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(SwitchProcess.AcquirerListening, sw.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", sw.Output, StringComparison.Ordinal);
            Assert.False(Directory.Exists(SwitchWarmUp.FolderFor(Path.Combine(dir, "journal"))));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task The_operator_endpoint_answers_while_the_switch_warms_up()
    {
        string dir = Directory.CreateTempSubdirectory("paymentswitch-warmup-").FullName;
        try
        {
            int status = SwitchProcess.FreePort();
            string config = EmbeddedSwitchConfig.Write(dir, SwitchProcess.FreePort(), status, SwitchProcess.FreePort(), SwitchProcess.FreePort());
            await using SwitchProcess sw = SwitchProcess.Start("--config", config, "--Switch:WarmUpMaxSeconds=120");
            Assert.True(await sw.WaitForOutputAsync("Warm-up: synthetic traffic", 60_000), sw.Output);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{status}/") };

            // Liveness answers during the start (a probe must not kill a switch that is only starting); readiness says why not yet.
            using HttpResponseMessage live = await http.GetAsync("health/live");
            using HttpResponseMessage ready = await http.GetAsync("health/ready");
            using HttpResponseMessage statusDocument = await http.GetAsync("status");
            bool stillWarming = !sw.Output.Contains(SwitchProcess.AcquirerListening, StringComparison.Ordinal);

            Assert.Equal(System.Net.HttpStatusCode.OK, live.StatusCode);
            Assert.True(stillWarming, "the warm-up ended before the endpoint was asked; nothing was tested");
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("warming up", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, statusDocument.StatusCode);

            sw.Terminate();
            Assert.Equal(0, await sw.WaitForExitAsync(60_000));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public Task A_folder_left_by_an_interrupted_warm_up_is_removed_before_the_next() => InTemporaryFolder(async journalDirectory =>
    {
        string leftover = SwitchWarmUp.FolderFor(journalDirectory);
        Directory.CreateDirectory(leftover);
        // What a crash can leave that a journal will not open on: a first segment that is not a segment, followed by
        // another. Opened as it is, this refuses; so the warm-up runs only if it removed the folder first.
        File.WriteAllText(Path.Combine(leftover, "00000000000000000001.wal"), new string('x', 4096));
        File.WriteAllText(Path.Combine(leftover, "00000000000000000100.wal"), new string('x', 4096));

        WarmUpReport report = await WarmUpAsync(journalDirectory, TimeSpan.FromSeconds(60));

        Assert.Null(report.Problem);
        Assert.True(report.Approved > 0);
        Assert.False(Directory.Exists(leftover));
    });

    [Fact]
    public Task The_time_limit_ends_a_warm_up_that_has_not_settled() => InTemporaryFolder(async journalDirectory =>
    {
        // Shorter than the second of traffic a warm-up needs before it may call itself settled.
        WarmUpReport report = await WarmUpAsync(journalDirectory, TimeSpan.FromMilliseconds(900));

        Assert.Null(report.Problem);
        Assert.Equal(WarmUpEnding.TimeLimit, report.Ending);
        Assert.Contains("still compiling when the time limit came", report.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(SwitchWarmUp.FolderFor(journalDirectory)));
    });

    [Fact]
    public Task A_cancelled_warm_up_says_so_and_leaves_nothing_behind() => InTemporaryFolder(async journalDirectory =>
    {
        // Sooner than the second of traffic a warm-up needs before it may call itself settled, so it cannot settle first
        // (in this process the code is already compiled, and it would settle at that first second).
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        WarmUpReport report = await WarmUpAsync(journalDirectory, TimeSpan.FromSeconds(60), stop.Token);

        Assert.Equal(WarmUpEnding.Failed, report.Ending);
        Assert.StartsWith("cancelled", report.Problem, StringComparison.Ordinal);
        Assert.False(Directory.Exists(SwitchWarmUp.FolderFor(journalDirectory)));
    });

    [Fact]
    public Task A_warm_up_that_cannot_run_says_why_and_throws_nothing() => InTemporaryFolder(async journalDirectory =>
    {
        Directory.CreateDirectory(journalDirectory);
        File.WriteAllText(SwitchWarmUp.FolderFor(journalDirectory), "a file where the warm-up's journal folder would go");

        WarmUpReport report = await WarmUpAsync(journalDirectory, TimeSpan.FromSeconds(60));

        Assert.NotNull(report.Problem);
        Assert.Equal(0, report.Answers);
        Assert.StartsWith("stopped after 0 answers", report.ToString(), StringComparison.Ordinal);
    });

    /// <summary>Runs <paramref name="test"/> with a journal folder path inside a fresh temporary folder, removed after.</summary>
    private static async Task InTemporaryFolder(Func<string, Task> test)
    {
        string root = Directory.CreateTempSubdirectory("paymentswitch-warmup-").FullName;
        try
        {
            await test(Path.Combine(root, "journal"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static Task<WarmUpReport> WarmUpAsync(string journalDirectory, TimeSpan limit, CancellationToken cancellationToken = default) =>
        SwitchWarmUp.RunAsync(Options(journalDirectory), Dialects(), journalDirectory, limit, cancellationToken);

    private static IReadOnlyDictionary<string, Dialect> Dialects() => DialectLoader.LoadDirectory(RunningSwitch.DialectDirectory);

    private static SwitchOptions Options(string journalDirectory) => new()
    {
        Acquirers = [new AcquirerOptions { Listen = "127.0.0.1:0" }],
        // Real issuers the warm-up must never contact: nothing listens on these ports.
        Issuers =
        [
            new IssuerOptions { Id = "card", Kind = "card", Endpoints = ["127.0.0.1:9"] },
            new IssuerOptions { Id = "wallet", Kind = "wallet", BaseUrl = "http://127.0.0.1:9" },
        ],
        Journal = new JournalSettings { Directory = journalDirectory },
    };
}
