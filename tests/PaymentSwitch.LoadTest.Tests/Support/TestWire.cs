using PaymentSwitch.Iso8583;

namespace PaymentSwitch.LoadTest.Tests.Support;

/// <summary>The dialect and framing the tests speak (the dialect files are copied beside the test assembly).</summary>
public static class TestWire
{
    public static string DialectDirectory => Path.Combine(AppContext.BaseDirectory, "dialects");

    public static readonly Dialect Dialect = DialectLoader.LoadByName(DialectDirectory, "iso87-ascii");

    public static readonly Framing Framing = Framing.Parse("len2");

    /// <summary>Short-run options against a responder on 127.0.0.1.</summary>
    public static LoadTestOptions Options(int port, Action<LoadTestOptions>? configure = null)
    {
        var options = new LoadTestOptions
        {
            TargetHost = "127.0.0.1",
            TargetPort = port,
            Mode = LoadTestMode.Acquirer,
            Connections = 2,
            RatePerSecond = 500,
            Warmup = TimeSpan.Zero,
            Duration = TimeSpan.FromSeconds(1),
            // Generous: these runs check answers, not speed, and CI shares the machine with crash and flood tests
            // (a correct responder once missed 1 s there). Tests about timeouts set their own.
            Timeout = TimeSpan.FromSeconds(5),
            Quiet = true,
        };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>Counts and errors of a result, for assertion messages.</summary>
    public static string Describe(LoadTestResult r)
    {
        var kinds = string.Join(", ", r.Errors.Where(e => e.Value > 0).Select(e => $"{LoadTestResult.KindName(e.Key)} {e.Value}"));
        return $"sent {r.Sent}, answered {r.Answered}, ok {r.AnsweredOk}, errors [{kinds}], samples: {string.Join(" | ", r.ErrorSamples.Take(3))}";
    }

    public static Task<LoadTestResult> RunAsync(LoadTestOptions options, TextWriter? progress = null)
        => LoadTestRunner.RunAsync(options, Dialect, progress);
}
