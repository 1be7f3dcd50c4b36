using System.Text.Json;
using PaymentSwitch.LoadTest.Tests.Support;

namespace PaymentSwitch.LoadTest.Tests;

/// <summary>The journal-floor tool as a real process against a real journal in a temporary folder.</summary>
public sealed class JournalFloorProcessTests : IDisposable
{
    private readonly string _parent = Directory.CreateTempSubdirectory("journal-floor-test-").FullName;

    public void Dispose() => Directory.Delete(_parent, recursive: true);

    [Theory]
    [InlineData("strict")]
    [InlineData("none")]
    public async Task It_completes_every_scheduled_authorisation_reports_them_and_removes_its_journal(string durability)
    {
        string journal = Path.Combine(_parent, "journal");
        (int exit, string stdout, string stderr) = await RunAsync(
            "--rate", "2000", "--seconds", "1", "--warmup", "0", "--durability", durability, "--directory", journal);

        Assert.True(exit == 0, stdout + stderr);
        string json = stdout.Split('\n').Single(line => line.StartsWith('{'));
        using JsonDocument doc = JsonDocument.Parse(json);
        JsonElement root = doc.RootElement;
        Assert.InRange(root.GetProperty("scheduled").GetInt64(), 1_990, 2_010);
        Assert.Equal(root.GetProperty("scheduled").GetInt64(), root.GetProperty("completed").GetInt64());
        Assert.Equal(0, root.GetProperty("failed").GetInt64());
        Assert.Equal(durability, root.GetProperty("durability").GetString());
        // Two durable appends per authorisation, each timed; the whole is never shorter than its dispatch part.
        Assert.Equal(2 * root.GetProperty("completed").GetInt64(), root.GetProperty("eachAppend").GetProperty("count").GetInt64());
        Assert.True(root.GetProperty("fromIntended").GetProperty("p50Ms").GetDouble() >= root.GetProperty("fromDispatch").GetProperty("p50Ms").GetDouble());
        if (durability == "strict") Assert.True(root.GetProperty("durableWrites").GetInt64() > 0);
        Assert.Equal(32, root.GetProperty("inlineCompletionMax").GetInt32()); // the switch's default, which it mirrors
        Assert.False(Directory.Exists(journal)); // it created the folder, so it removes it
    }

    [Fact]
    public async Task Bad_arguments_exit_2_with_the_reason()
    {
        (int exit, _, string stderr) = await RunAsync("--rate", "many");
        Assert.Equal(2, exit);
        Assert.Contains("error: --rate must be a whole number", stderr, StringComparison.Ordinal);

        (exit, _, stderr) = await RunAsync("--inline-completion-max", "33");
        Assert.Equal(2, exit);
        Assert.Contains("error: --inline-completion-max must be a whole number from 0 to 32", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_inline_completion_limit_given_is_reported_in_the_json()
    {
        (int exit, string stdout, string stderr) = await RunAsync(
            "--rate", "1000", "--seconds", "1", "--warmup", "0", "--inline-completion-max", "0", "--directory", Path.Combine(_parent, "j"));
        Assert.True(exit == 0, stdout + stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout.Split('\n').Single(line => line.StartsWith('{')));
        Assert.Equal(0, doc.RootElement.GetProperty("inlineCompletionMax").GetInt32());
    }

    private Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
        => ToolProcess.RunAsync("PaymentSwitch.JournalFloor.dll", _parent, null, args);
}
