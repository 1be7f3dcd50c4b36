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
        Assert.Contains(sw.Logs.Lines, l => l.Contains("Warm-up: ", StringComparison.Ordinal) && l.Contains("through a throwaway engine", StringComparison.Ordinal));

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
    public async Task A_folder_left_by_an_interrupted_warm_up_is_removed_before_the_next()
    {
        string root = Directory.CreateTempSubdirectory("paymentswitch-warmup-").FullName;
        try
        {
            string journalDirectory = Path.Combine(root, "journal");
            string leftover = SwitchWarmUp.FolderFor(journalDirectory);
            Directory.CreateDirectory(leftover);
            File.WriteAllBytes(Path.Combine(leftover, "00000000000000000001.seg"), new byte[4096]); // a torn segment from a crash

            WarmUpReport report = await SwitchWarmUp.RunAsync(Options(journalDirectory), Dialects(), journalDirectory, TimeSpan.FromSeconds(60), CancellationToken.None);

            Assert.Null(report.Problem);
            Assert.True(report.Answers > 0);
            Assert.False(Directory.Exists(leftover));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_warm_up_that_cannot_run_says_why_and_throws_nothing()
    {
        string root = Directory.CreateTempSubdirectory("paymentswitch-warmup-").FullName;
        try
        {
            string journalDirectory = Path.Combine(root, "journal");
            File.WriteAllText(SwitchWarmUp.FolderFor(journalDirectory), "a file where the warm-up's journal folder would go");

            WarmUpReport report = await SwitchWarmUp.RunAsync(Options(journalDirectory), Dialects(), journalDirectory, TimeSpan.FromSeconds(60), CancellationToken.None);

            Assert.NotNull(report.Problem);
            Assert.Equal(0, report.Answers);
            Assert.StartsWith("stopped after 0 answers", report.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

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
