using PaymentSwitch.LoadTest.Tests.Support;

namespace PaymentSwitch.LoadTest.Tests;

public sealed class CommandLineTests
{
    [Fact]
    public void The_documented_example_parses()
    {
        LoadTestCommandLineResult r = LoadTestCommandLine.Parse(
            ["--target", "127.0.0.1:5000", "--mode", "acquirer", "--connections", "8", "--rate", "50000", "--duration", "30s", "--json", "result.json"]);
        Assert.Empty(r.Errors);
        LoadTestOptions o = r.Options!;
        Assert.Equal("127.0.0.1", o.TargetHost);
        Assert.Equal(5000, o.TargetPort);
        Assert.Equal(LoadTestMode.Acquirer, o.Mode);
        Assert.Equal(8, o.Connections);
        Assert.Equal(50_000, o.RatePerSecond);
        Assert.Equal(TimeSpan.FromSeconds(30), o.Duration);
        Assert.Equal(TimeSpan.FromSeconds(5), o.Warmup);
        Assert.Equal(TimeSpan.FromSeconds(5), o.Timeout);
        Assert.Equal("result.json", o.JsonPath);
    }

    [Fact]
    public void Mix_wire_and_time_options_parse()
    {
        LoadTestCommandLineResult r = LoadTestCommandLine.Parse(
        [
            "--target=switch.local:6000", "--mode", "terminals", "--connections", "20", "--think-time", "250ms",
            "--card-bins", "476173, 510000", "--wallet-bins", "999999", "--wallet-share", "0.25", "--unknown-share", "5%",
            "--reversal-share", "0.1", "--amount", "500-2500", "--framing", "len4-ascii", "--tpdu", "6000010002",
            "--dialect", "iso87-bcd", "--timeout", "1.5s", "--tick", "500us", "--chart", "x.html", "--hgrm", "x.hgrm",
        ]);
        Assert.Empty(r.Errors);
        LoadTestOptions o = r.Options!;
        Assert.Equal(LoadTestMode.Terminals, o.Mode);
        Assert.True(o.IsClosedLoop);
        Assert.Equal(1, o.EffectiveMaxInFlight);
        Assert.Equal(TimeSpan.FromMilliseconds(250), o.ThinkTime);
        Assert.Equal(["476173", "510000"], o.CardBins);
        Assert.Equal(["999999"], o.WalletBins);
        Assert.Equal(0.25, o.WalletShare);
        Assert.Equal(0.05, o.UnknownBinShare, 10);
        Assert.Equal((500, 2500), (o.AmountMinMinor, o.AmountMaxMinor));
        Assert.Equal("len4-ascii", o.FramingName);
        Assert.Equal(new PaymentSwitch.Iso8583.Tpdu(0x60, 0x0001, 0x0002), o.Tpdu);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), o.Timeout);
        Assert.Equal(TimeSpan.FromMicroseconds(500), o.Tick);
    }

    [Theory]
    [InlineData("--target 127.0.0.1", "--target must be HOST:PORT")]
    [InlineData("--target 127.0.0.1:70000", "port must be 1..65535")]
    [InlineData("--rate 1000", "--target is required")]
    [InlineData("--target h:1 --bogus 3", "Unknown option '--bogus'")]
    [InlineData("--target h:1 --rate", "--rate needs a value")]
    [InlineData("--target h:1 --rate fast", "--rate must be a number")]
    [InlineData("--target h:1 --duration 5 parsecs", "Unexpected argument 'parsecs'")]
    [InlineData("--target h:1 --duration soon", "--duration must be a time")]
    [InlineData("--target h:1 --mode batch", "--mode must be acquirer or terminals")]
    [InlineData("--target h:1 --mode terminals --max-in-flight 4", "--max-in-flight does not apply to terminals mode")]
    [InlineData("--target h:1 --mode terminals --rate 100 --think-time 1s", "give one or the other")]
    [InlineData("--target h:1 --rate 0", "--rate must be above 0 in acquirer mode")]
    [InlineData("--target h:1 --card-bins 47", "'47' is not a BIN")]
    [InlineData("--target h:1 --unknown-bins 476173", "both as unknown and as a card or wallet BIN")]
    [InlineData("--target h:1 --reversal-share 1.5", "--reversal-share must be a share from 0 to 1")]
    [InlineData("--target h:1 --amount 10-5", "--amount must be MIN-MAX")]
    [InlineData("--target h:1 --framing len3", "--framing must be len2 or len4-ascii")]
    [InlineData("--target h:1 --tpdu 60", "--tpdu must be 10 hex digits")]
    [InlineData("--target h:1 --chart out.png", "--chart must end in .svg or .html")]
    [InlineData("--target h:1 --connections 0", "--connections must be 1..10000")]
    [InlineData("--target h:1 --wallet-share 0.5", "--wallet-share needs at least one --wallet-bins BIN")]
    public void Bad_arguments_are_reported_with_a_clear_message(string args, string message)
    {
        LoadTestCommandLineResult r = LoadTestCommandLine.Parse(args.Split(' '));
        Assert.Null(r.Options);
        Assert.Contains(r.Errors, e => e.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bad_arguments_exit_2_and_help_exits_0()
    {
        var stderr = new StringWriter();
        Assert.Equal(2, await LoadTestProgram.RunAsync(["--target", "h:1", "--rate", "-5"], new StringWriter(), stderr));
        Assert.Contains("error: --rate", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("--help", stderr.ToString(), StringComparison.Ordinal);

        var dialectErr = new StringWriter();
        Assert.Equal(2, await LoadTestProgram.RunAsync(["--target", "127.0.0.1:1", "--dialects", TestWire.DialectDirectory, "--dialect", "nope"], new StringWriter(), dialectErr));
        Assert.Contains("dialect 'nope'", dialectErr.ToString(), StringComparison.Ordinal);

        var stdout = new StringWriter();
        Assert.Equal(0, await LoadTestProgram.RunAsync(["--help"], stdout, new StringWriter()));
        Assert.Contains("--max-in-flight", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("backlogged", stdout.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("500us", 0.0005)]
    [InlineData("250ms", 0.25)]
    [InlineData("5s", 5)]
    [InlineData("2m", 120)]
    [InlineData("1.5", 1.5)]
    public void Times_take_units(string text, double seconds)
    {
        Assert.True(LoadTestCommandLine.TryParseTime(text, out TimeSpan t));
        Assert.Equal(seconds, t.TotalSeconds, 9);
    }
}
