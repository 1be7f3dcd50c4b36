using PaymentSwitch.Integration.Tests.Support;

namespace PaymentSwitch.Integration.Tests;

/// <summary>The switch as an operator runs it: a real process, its configuration file, its verbs, its signals.</summary>
public class HostProcessTests
{

    [Fact]
    public async Task A_bad_setting_stops_the_start_naming_the_setting()
    {
        string dir = Directory.CreateTempSubdirectory("ps-host-").FullName;
        string config = EmbeddedSwitchConfig.Write(dir, 5000, 8080, 7001, 7002);
        (int exit, string output) = await SwitchProcess.RunAsync(60_000, "--config", config, "--Issuers:0:TimeoutMs=-1", "--Acquirers:0:Framing=len3");
        Assert.Equal(2, exit);
        Assert.Contains("Issuers:0:TimeoutMs: must be 10..120000 (is -1)", output);
        Assert.Contains("Acquirers:0:Framing: 'len3' is not a framing", output);

        (exit, output) = await SwitchProcess.RunAsync(60_000, "--config", Path.Combine(dir, "missing.json"));
        Assert.Equal(2, exit);
        Assert.Contains("missing.json", output);
    }

    [Fact]
    public async Task A_start_that_fails_exits_1_with_the_reason_and_does_not_crash()
    {
        // Found 2026-11-22: the host disposes its services when the start fails, and the old handler asked them for a
        // logger, so every failed start ended in an unhandled ObjectDisposedException (SIGABRT, exit 134).
        string dir = Directory.CreateTempSubdirectory("ps-host-").FullName;
        try
        {
            string config = EmbeddedSwitchConfig.Write(dir, SwitchProcess.FreePort(), SwitchProcess.FreePort(), SwitchProcess.FreePort(), SwitchProcess.FreePort());
            string notAFolder = Path.Combine(dir, "journal-is-a-file");
            File.WriteAllText(notAFolder, "not a folder");

            (int exit, string output) = await SwitchProcess.RunAsync(60_000, "--config", config, "--Journal:Directory=" + notAFolder);

            Assert.Equal(1, exit);
            Assert.Contains("PaymentSwitch could not start:", output);
            Assert.Contains("journal-is-a-file", output);
            Assert.DoesNotContain("Unhandled exception", output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Runs_with_embedded_simulators_answers_the_send_verb_and_stops_cleanly_on_sigterm()
    {
        string dir = Directory.CreateTempSubdirectory("ps-host-").FullName;
        int acquirer = SwitchProcess.FreePort(), status = SwitchProcess.FreePort(), card = SwitchProcess.FreePort(), wallet = SwitchProcess.FreePort();
        string config = EmbeddedSwitchConfig.Write(dir, acquirer, status, card, wallet);
        await using SwitchProcess host = SwitchProcess.Start("--config", config);
        Assert.True(await host.WaitForOutputAsync("signed on", 60_000), host.Output);
        Assert.True(await host.WaitForOutputAsync(SwitchProcess.AcquirerListening, 60_000), host.Output); // the acquirer port accepts
        Assert.Contains($"listening on 127.0.0.1:{acquirer}", host.Output);

        (int exit, string output) = await SwitchProcess.RunAsync(60_000, "send", "--to", $"127.0.0.1:{acquirer}", "--pan", "4761739001010010", "--amount", "1500",
            "--dialects", RunningSwitch.DialectDirectory);
        Assert.Equal(0, exit);
        Assert.Contains("APPROVED", output);
        Assert.Contains("476173******0010", output);
        Assert.DoesNotContain("4761739001010010", output);

        using (var http = new HttpClient())
            Assert.Equal("ready\n", await http.GetStringAsync($"http://127.0.0.1:{status}/health/ready"));

        host.Terminate();
        Assert.Equal(0, await host.WaitForExitAsync(30_000));
        Assert.DoesNotContain("4761739001010010", host.Output);
    }

    [Fact]
    public async Task Sigterm_lets_requests_in_flight_finish_then_exits_zero_within_the_deadline()
    {
        string dir = Directory.CreateTempSubdirectory("ps-host-").FullName;
        int acquirer = SwitchProcess.FreePort(), status = SwitchProcess.FreePort(), card = SwitchProcess.FreePort(), wallet = SwitchProcess.FreePort();
        string config = EmbeddedSwitchConfig.Write(dir, acquirer, status, card, wallet);
        await using SwitchProcess host = SwitchProcess.Start("--config", config, "--Simulators:LatencyMs=700", "--Switch:ShutdownDeadlineMs=5000");
        Assert.True(await host.WaitForOutputAsync("signed on", 60_000), host.Output);
        Assert.True(await host.WaitForOutputAsync(SwitchProcess.AcquirerListening, 60_000), host.Output); // the acquirer port accepts

        await using TestTerminal terminal = await TestTerminal.ConnectAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, acquirer), RunningSwitch.Ascii);
        for (int stan = 1; stan <= 50; stan++)
        {
            Requests.Authorisation(terminal.Builder, Requests.CardPan, 100 + stan, stan);
            await terminal.SendAsync();
        }
        await Task.Delay(200);   // all 50 are now waiting at the issuer
        var stopping = System.Diagnostics.Stopwatch.StartNew();
        host.Terminate();
        var answered = new HashSet<string>();
        for (int i = 0; i < 50; i++)
        {
            Iso8583.IsoMessage? reply = await terminal.ReceiveAsync(10_000);
            Assert.NotNull(reply);
            Assert.Equal("00", Requests.Text(reply!, 39));
            answered.Add(Requests.Text(reply!, 11));
        }
        Assert.Equal(50, answered.Count);
        Assert.Equal(0, await host.WaitForExitAsync(15_000));
        Assert.True(stopping.ElapsedMilliseconds < 5000 + 5000, $"stopped in {stopping.ElapsedMilliseconds} ms");
        Assert.Contains("Stopped: journal flushed", host.Output);
    }

    [Fact]
    public async Task Sigterm_under_steady_traffic_answers_everything_sent_and_stops_well_before_the_deadline()
    {
        // An acquirer host does not stop sending because the switch is stopping. New requests must not hold the stop
        // until its deadline (and then lose the answers of the last ones with their connection).
        string dir = Directory.CreateTempSubdirectory("ps-host-").FullName;
        int acquirer = SwitchProcess.FreePort(), status = SwitchProcess.FreePort(), card = SwitchProcess.FreePort(), wallet = SwitchProcess.FreePort();
        string config = EmbeddedSwitchConfig.Write(dir, acquirer, status, card, wallet);
        await using SwitchProcess host = SwitchProcess.Start("--config", config, "--Simulators:LatencyMs=700", "--Switch:ShutdownDeadlineMs=8000");
        Assert.True(await host.WaitForOutputAsync("signed on", 60_000), host.Output);
        Assert.True(await host.WaitForOutputAsync(SwitchProcess.AcquirerListening, 60_000), host.Output);

        await using TestTerminal terminal = await TestTerminal.ConnectAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, acquirer), RunningSwitch.Ascii);
        var stopping = System.Diagnostics.Stopwatch.StartNew();
        int sent = 0;
        using var sending = new CancellationTokenSource();
        Task sender = Task.Run(async () =>
        {
            while (!sending.IsCancellationRequested)
            {
                sent++;
                Requests.Authorisation(terminal.Builder, Requests.CardPan, 100 + sent, sent);
                try { await terminal.SendAsync(); }
                catch (IOException) { break; } // the switch closed the connection at the end of its stop
                await Task.Delay(50);
            }
        });
        await Task.Delay(1000); // about 20 requests, most of them waiting at the issuer
        int sentBeforeStop = Volatile.Read(ref sent) - 1; // the last one may race the signal
        stopping.Restart();
        host.Terminate();

        var codes = new Dictionary<string, string>();
        while (true)
        {
            Iso8583.IsoMessage? reply = await terminal.ReceiveAsync(10_000);
            if (reply is null) break; // closed by the switch once everything in flight was answered
            codes[Requests.Text(reply, 11)] = Requests.Text(reply, 39);
        }
        sending.Cancel();
        await sender;
        Assert.Equal(0, await host.WaitForExitAsync(15_000));
        Assert.True(stopping.ElapsedMilliseconds < 5000, $"stopped in {stopping.ElapsedMilliseconds} ms, deadline 8000 ms");
        // What was in flight when the stop began was answered by the issuer; what came after was answered 91 at once.
        for (int stan = 1; stan <= sentBeforeStop; stan++)
            Assert.True(codes.TryGetValue(stan.ToString("D6"), out string? code) && code == "00", $"STAN {stan}: {code ?? "no answer"}");
        Assert.All(codes.Values, code => Assert.Contains(code, new[] { "00", "91" }));
        Assert.Contains("91", codes.Values);
        Assert.Contains("Stopped: journal flushed", host.Output);
    }

    [Fact]
    public async Task Send_verb_reports_bad_arguments_and_an_unreachable_switch()
    {
        (int exit, string output) = await SwitchProcess.RunAsync(60_000, "send", "--to", "127.0.0.1:1", "--pan", "12");
        Assert.Equal(2, exit);
        Assert.Contains("--pan must be 12 to 19 digits", output);

        (exit, output) = await SwitchProcess.RunAsync(60_000, "send", "--to", $"127.0.0.1:{SwitchProcess.FreePort()}", "--pan", "4761739001010010", "--amount", "1",
            "--dialects", RunningSwitch.DialectDirectory, "--timeout-ms", "3000");
        Assert.Equal(1, exit);
        Assert.Contains("Could not reach", output);
    }
}
