using System.Diagnostics;
using System.Text.Json;
using PaymentSwitch.LoadTest.Tests.Support;

namespace PaymentSwitch.LoadTest.Tests;

/// <summary>The harness as a real process, the way people run it.</summary>
public sealed class ProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("loadtest-process-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task The_executable_finds_its_dialects_runs_and_exits_0_or_2()
    {
        await using var responder = new IsoResponder(TestWire.Dialect, TestWire.Framing);
        string json = Path.Combine(_dir, "result.json");

        // The working directory has no config/dialects, so the dialects beside the executable are used.
        (int exit, string stdout, string stderr) = await RunAsync(
            "--target", $"127.0.0.1:{responder.Port}", "--mode", "acquirer", "--connections", "2", "--rate", "2000",
            "--duration", "1s", "--warmup", "500ms", "--json", json);

        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("Result: PASSED", stdout, StringComparison.Ordinal);
        Assert.Contains("answered", stderr, StringComparison.Ordinal);
        using (JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(json)))
        {
            Assert.True(doc.RootElement.GetProperty("passed").GetBoolean());
            Assert.InRange(doc.RootElement.GetProperty("requests").GetProperty("sent").GetInt64(), 2_900, 3_100);
        }
        Assert.Equal(responder.Requests, responder.Answers);

        (int badExit, _, string badErr) = await RunAsync("--target", "localhost", "--rate", "lots");
        Assert.Equal(2, badExit);
        Assert.Contains("error: --target must be HOST:PORT", badErr, StringComparison.Ordinal);
        Assert.Contains("error: --rate must be a number", badErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("0")]
    public async Task The_hot_path_allocates_nothing_per_request(string inlineCompletions)
    {
        // Measured in the harness's own process (the responder lives in this one): whatever it allocates during the
        // measured window is shared overhead and must not grow with the number of requests. Both socket completion
        // modes: on the socket engine thread (the default the executable sets) and through the thread pool.
        await using var responder = new IsoResponder(TestWire.Dialect, TestWire.Framing, trackApprovals: false);
        string json = Path.Combine(_dir, $"alloc-{inlineCompletions}.json");
        (int exit, string stdout, string stderr) = await RunAsync(
            new Dictionary<string, string> { ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = inlineCompletions },
            "--target", $"127.0.0.1:{responder.Port}", "--connections", "4", "--rate", "5000", "--duration", "2s",
            "--warmup", "700ms", "--financial-share", "0.5", "--unknown-share", "0.1", "--quiet", "--json", json);

        Assert.True(exit == 0, stdout + stderr);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(json));
        long measured = doc.RootElement.GetProperty("requests").GetProperty("measuredSent").GetInt64();
        double perRequest = doc.RootElement.GetProperty("harness").GetProperty("allocatedBytesPerRequest").GetDouble();
        Assert.True(measured >= 9_000, stdout);
        // One string or boxed value per request would be 24 bytes or more.
        Assert.True(perRequest < 4, $"{perRequest} bytes per request\n{stdout}");
    }

    private Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args) => RunAsync(null, args);

    private Task<(int Exit, string Stdout, string Stderr)> RunAsync(Dictionary<string, string>? environment, params string[] args)
        => ToolProcess.RunAsync("PaymentSwitch.LoadTest.dll", _dir, environment, args);
}
