using System.Net;
using System.Text.Json.Nodes;
using PaymentSwitch.Integration.Tests.Support;
using Xunit.Abstractions;
using static PaymentSwitch.Integration.Tests.Support.Requests;

namespace PaymentSwitch.Integration.Tests;

/// <summary>
/// The dashboard in a real browser: the switch runs as a real process (embedded simulators, its own Kestrel), terminals
/// load it, headless Chromium opens the page, and the test reads what the page rendered, twice, to see it move.
/// </summary>
public class DashboardBrowserTests(ITestOutputHelper output)
{
    private const int Width = 1400, Height = 1300;

    private const string ReadFigures = """
        (() => {
          const t = m => document.querySelector(`[data-metric="${m}"]`).textContent.trim();
          const num = s => Number(s.replace(/,/g, ""));
          const chart = document.querySelector('[data-metric="throughput-chart"]');
          const answers = chart.querySelector('path[data-series="answers"]');
          const card = document.querySelector('[data-latency="card-sim"]');
          return {
            refreshes: num(t("refreshes")),
            ready: t("ready"),
            tps: num(t("tps-last-second")),
            answered: num(t("answered-total")),
            lastMinute: num(t("answers-last-minute")),
            p99: num(t("p99-last-minute")),
            approvalRate: num(t("approval-rate")),
            chartPoints: Number(chart.getAttribute("data-points")),
            chartPath: answers ? answers.getAttribute("d") : "",
            codes: [...document.querySelectorAll('[data-metric="response-codes"] [data-code]')].map(e => e.getAttribute("data-code")),
            issuers: Object.fromEntries([...document.querySelectorAll("[data-issuer]")].map(e => [e.getAttribute("data-issuer"), e.getAttribute("data-state")])),
            latencyRows: [...document.querySelectorAll("[data-latency]")].map(e => e.getAttribute("data-latency")),
            cardP99: card ? num(card.children[4].textContent) : NaN,
            journal: t("journal-health"),
            fsyncs: num(t("journal-fsyncs")),
            fsyncLatency: t("journal-fsync-latency"),
            listenerConnections: num(document.querySelector('[data-metric="listeners"] tr td:last-child').textContent),
            banner: getComputedStyle(document.querySelector('[data-metric="banner"]')).display
          };
        })()
        """;

    [Fact]
    public async Task The_dashboard_renders_live_figures_that_move_under_load()
    {
        string dir = Directory.CreateTempSubdirectory("ps-dashboard-").FullName;
        try
        {
            await RunAsync(dir);
        }
        finally
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
                // best effort: it is in the temp folder
            }
        }
    }

    private async Task RunAsync(string dir)
    {
        int acquirer = SwitchProcess.FreePort(), statusPort = SwitchProcess.FreePort(), card = SwitchProcess.FreePort(), wallet = SwitchProcess.FreePort();
        string config = EmbeddedSwitchConfig.Write(dir, acquirer, statusPort, card, wallet);
        await using SwitchProcess host = SwitchProcess.Start("--config", config);
        string baseUrl = $"http://127.0.0.1:{statusPort}";
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
        await WaitUntilReadyAsync(http, host);

        StatusLoad load = await StatusLoad.StartAsync(new IPEndPoint(IPAddress.Loopback, acquirer), [CardPan, CardPan, WalletPan, UnknownBinPan], terminals: 4, pipeline: 4, pauseMs: 2);
        await load.WaitForAnswersAsync(200);

        await using DashboardBrowser browser = await DashboardBrowser.LaunchAsync(Width, Height);
        await browser.OpenAsync(baseUrl + "/", Width, Height);
        await browser.WaitUntilAsync("""Number(document.querySelector('[data-metric="refreshes"]')?.textContent ?? 0) >= 3""", 30_000, "three refreshes");
        JsonNode first = (await browser.EvaluateAsync(ReadFigures))!;
        output.WriteLine("first read:  " + first.ToJsonString());

        await browser.WaitUntilAsync($$"""Number(document.querySelector('[data-metric="refreshes"]')?.textContent ?? 0) >= {{(int)first["refreshes"]! + 3}}""", 30_000, "three more refreshes");
        JsonNode second = (await browser.EvaluateAsync(ReadFigures))!;
        output.WriteLine("second read: " + second.ToJsonString());

        string artifacts = Path.Combine(RunningSwitch.RepositoryRoot, "artifacts");
        string screenshot = Path.Combine(artifacts, $"dashboard-{DateTime.UtcNow:yyyyMMdd-HHmmss}.png");
        await browser.ScreenshotAsync(screenshot);
        output.WriteLine("dashboard screenshot: " + screenshot);
        Console.WriteLine("dashboard screenshot: " + screenshot);

        string html = (string)(await browser.EvaluateAsync("document.documentElement.outerHTML"))!;
        await load.StopAsync();

        // What the page shows.
        Assert.Equal("ready", (string?)second["ready"]);
        Assert.Equal("none", (string?)second["banner"]);
        Assert.True((double)second["tps"]! > 0 || (double)first["tps"]! > 0, "throughput never above zero");
        Assert.True((double)second["lastMinute"]! > 0);
        Assert.True((double)second["p99"]! > 0);
        Assert.InRange((double)second["approvalRate"]!, 1, 99.9); // the unknown BIN answers 15: not all approved
        Assert.True((int)second["chartPoints"]! >= 3, "the chart has fewer than three points");
        Assert.StartsWith("M", (string?)second["chartPath"]);
        string[] codes = [.. second["codes"]!.AsArray().Select(c => (string)c!)];
        Assert.Contains("00", codes);
        Assert.Contains("15", codes);
        Assert.Equal("up", (string?)second["issuers"]!["card-sim"]);
        Assert.Equal("up", (string?)second["issuers"]!["wallet-sim"]);
        string[] rows = [.. second["latencyRows"]!.AsArray().Select(c => (string)c!)];
        Assert.Equal(["all", "card-sim", "wallet-sim", "switch"], rows);
        Assert.True((double)second["cardP99"]! > 0);
        Assert.Equal("healthy", (string?)second["journal"]);
        Assert.Matches(@"^[\d.,]+ / [\d.,]+ / [\d.,]+ ms$", (string?)second["fsyncLatency"]); // mean / p99 / max, p99 present
        Assert.Equal(4, (int)second["listenerConnections"]!);

        // ... and that it is live: the figures moved between the two reads.
        Assert.True((double)second["answered"]! > (double)first["answered"]!, "answers did not grow on the page");
        Assert.True((double)second["fsyncs"]! > (double)first["fsyncs"]!, "journal fsyncs did not grow on the page");
        Assert.NotEqual((string?)first["chartPath"], (string?)second["chartPath"]);
        Assert.True((double)second["answered"]! <= load.Answered);

        Assert.Empty(browser.PageErrors);
        foreach (string pan in (string[])[CardPan, WalletPan, UnknownBinPan]) Assert.DoesNotContain(pan, html);
        byte[] png = await File.ReadAllBytesAsync(screenshot);
        Assert.True(png.Length > 20_000, $"screenshot only {png.Length} bytes");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
    }

    private static async Task WaitUntilReadyAsync(HttpClient http, SwitchProcess host)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                using HttpResponseMessage ready = await http.GetAsync("/health/ready");
                if (ready.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            if (host.HasExited || DateTime.UtcNow > deadline) throw new TimeoutException("the switch did not get ready:\n" + host.Output);
            await Task.Delay(100);
        }
    }

}
