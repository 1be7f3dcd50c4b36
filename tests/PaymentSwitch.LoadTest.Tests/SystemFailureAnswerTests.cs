using System.Text.Json;
using PaymentSwitch.LoadTest.Tests.Support;

namespace PaymentSwitch.LoadTest.Tests;

/// <summary>
/// DE39 91 (issuer unavailable, timed out, shed) and 96 (system malfunction) say the switch failed the request: a
/// run answered by them fails, by a kind of its own, unless the run was told to expect shedding.
/// </summary>
public sealed class SystemFailureAnswerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("loadtest-system-failure-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_run_answered_only_with_91_fails_and_the_reports_name_the_kind()
    {
        await using var responder = new IsoResponder(TestWire.Dialect, TestWire.Framing, new ResponderBehaviour { ResponseCode = "91" });
        string json = Path.Combine(_dir, "result.json");
        var stdout = new StringWriter();

        int exit = await LoadTestProgram.RunAsync(Args(responder.Port, json), stdout, new StringWriter());

        string text = stdout.ToString();
        Assert.True(exit == LoadTestProgram.ExitFailed, text);
        Assert.Contains("Result: FAILED", text, StringComparison.Ordinal);
        Assert.Contains("system-failure-answer", text, StringComparison.Ordinal);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(json));
        JsonElement root = doc.RootElement;
        long sent = root.GetProperty("requests").GetProperty("sent").GetInt64();
        Assert.False(root.GetProperty("passed").GetBoolean());
        Assert.True(sent >= 250, text);
        Assert.Equal(sent, root.GetProperty("responseCodes").GetProperty("91").GetInt64());
        // errors.total is what perf/e2e.sh's sweep and floors judge: every 91 is in it.
        Assert.Equal(sent, root.GetProperty("errors").GetProperty("total").GetInt64());
        Assert.Equal(sent, root.GetProperty("errors").GetProperty("byKind").GetProperty("system-failure-answer").GetInt64());
        Assert.Equal(0, root.GetProperty("requests").GetProperty("answeredOk").GetInt64());
    }

    [Fact]
    public async Task With_accept_system_failures_an_overload_run_answered_with_91_checks_out()
    {
        await using var responder = new IsoResponder(TestWire.Dialect, TestWire.Framing, new ResponderBehaviour { ResponseCode = "91" });
        string json = Path.Combine(_dir, "accepted.json");
        var stdout = new StringWriter();

        int exit = await LoadTestProgram.RunAsync([.. Args(responder.Port, json), "--accept-system-failures"], stdout, new StringWriter());

        string text = stdout.ToString();
        Assert.True(exit == LoadTestProgram.ExitPassed, text);
        Assert.Contains("DE39 91/96 accepted", text, StringComparison.Ordinal);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(json));
        JsonElement root = doc.RootElement;
        Assert.True(root.GetProperty("passed").GetBoolean());
        Assert.True(root.GetProperty("config").GetProperty("acceptSystemFailureCodes").GetBoolean());
        Assert.Equal(0, root.GetProperty("errors").GetProperty("total").GetInt64());
        Assert.Equal(root.GetProperty("requests").GetProperty("sent").GetInt64(), root.GetProperty("responseCodes").GetProperty("91").GetInt64());
    }

    // A warm-up: a run that passes must also achieve its rate, and the first run in a cold test process answers slowly.
    private static string[] Args(int port, string json) =>
    [
        "--target", $"127.0.0.1:{port}", "--rate", "500", "--duration", "600ms", "--warmup", "500ms", "--timeout", "2s",
        "--quiet", "--dialects", TestWire.DialectDirectory, "--json", json,
    ];
}
