namespace PaymentSwitch.Integration.Tests;

/// <summary>The test's exposition reader refuses what it should, so a /metrics test passing means something.</summary>
public class StatusPrometheusTextTests
{
    private const string Good = """
        # HELP a_total Things.
        # TYPE a_total counter
        a_total{x="1"} 3
        a_total{x="q\"\\\n"} 4
        # HELP h Latency.
        # TYPE h histogram
        h_bucket{le="0.5"} 1
        h_bucket{le="+Inf"} 2
        h_sum 0.75
        h_count 2

        """;

    [Fact]
    public void A_well_formed_exposition_is_read()
    {
        StatusPrometheusText text = StatusPrometheusText.Parse(Good.Replace("\n\n", "\n", StringComparison.Ordinal));
        Assert.Equal(3, text.Value("a_total", ("x", "1")));
        Assert.Equal(4, text.Value("a_total", ("x", "q\"\\\n")));
        Assert.Equal(2, text.Value("h_count"));
        Assert.Equal("Latency.", text["h"].Help);
    }

    [Theory]
    [InlineData("# TYPE a gauge\na 1\n", "no HELP")]
    [InlineData("# HELP a A.\n# TYPE a gauge\na 1", "newline")]
    [InlineData("# HELP a A.\na 1\n", "no TYPE")]
    [InlineData("# HELP a A.\n# TYPE a gauge\na 1\na 2\n", "duplicate series")]
    [InlineData("# HELP a A.\n# TYPE a counter\na -1\n", "counter")]
    [InlineData("# HELP a A.\n# TYPE a gauge\na{x=\"\\t\"} 1\n", "bad escape")]
    [InlineData("# HELP a A.\n# TYPE a gauge\na{x=1} 1\n", "quoted")]
    [InlineData("# HELP a A.\n# TYPE a gauge\na one\n", "not a number")]
    [InlineData("# HELP a A.\n# TYPE a gauge\n# HELP b B.\n# TYPE b gauge\nb 1\na 1\n", "not together")]
    [InlineData("# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n", "+Inf")]
    [InlineData("# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", "decreases")]
    [InlineData("# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n", "_count")]
    [InlineData("# HELP 1a A.\n# TYPE 1a gauge\n", "bad metric name")]
    public void A_malformed_exposition_is_refused(string exposition, string reason)
    {
        FormatException error = Assert.Throws<FormatException>(() => StatusPrometheusText.Parse(exposition));
        Assert.Contains(reason, error.Message);
    }
}
