using System.Text;
using System.Text.Json;
using PaymentSwitch.Core.Routing;

namespace PaymentSwitch.Core.Tests.Routing;

public sealed class BinRoutesJsonTests
{
    private static BinRoutesParseResult Parse(string json) => BinRoutesJson.Parse(Encoding.UTF8.GetBytes(json));

    private static string SingleError(string json)
    {
        BinRoutesParseResult result = Parse(json);
        Assert.False(result.Succeeded);
        Assert.Empty(result.Routes);
        return Assert.Single(result.Errors).ToString();
    }

    [Fact]
    public void Parses_prefixes_and_ranges_in_order()
    {
        BinRoutesParseResult result = Parse("""
            [
              { "Prefix": "476173", "Issuer": "card-sim" },
              { "Low": "510000", "High": "559999", "Issuer": "card-sim" },
              { "prefix": "0", "issuer": "wallet-sim" }
            ]
            """);
        Assert.True(result.Succeeded);
        Assert.False(result.IsIncomplete);
        Assert.Equal(
            [
                BinRoute.ForPrefix("476173", "card-sim"),
                BinRoute.ForRange("510000", "559999", "card-sim"),
                BinRoute.ForPrefix("0", "wallet-sim"),
            ],
            result.Routes);
        Assert.Same(result.Routes[0].IssuerId, result.Routes[1].IssuerId); // one string per issuer
    }

    [Fact]
    public void Accepts_comments_trailing_commas_bom_and_escapes()
    {
        byte[] json = [.. "\uFEFF"u8, .. """
            // routes for the demo
            [
              { "Prefix": "4761\u0037\u0033", "Issuer": "card\u002dsim" }, /* escaped */
            ]
            """u8];
        BinRoutesParseResult result = BinRoutesJson.Parse(json);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        Assert.Equal(BinRoute.ForPrefix("476173", "card-sim"), Assert.Single(result.Routes));
    }

    [Fact]
    public void Empty_array_is_no_routes()
    {
        BinRoutesParseResult result = Parse("[]");
        Assert.True(result.Succeeded);
        Assert.Empty(result.Routes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("[ { \"Prefix\": \"476173\", \"Issu")]
    [InlineData("[ { \"Prefix\": \"476173\", \"Issuer\": \"card-sim\" }")]
    [InlineData("[ ] ]")]
    public void Truncated_or_malformed_json_is_incomplete(string json)
    {
        BinRoutesParseResult result = Parse(json);
        Assert.False(result.Succeeded);
        Assert.True(result.IsIncomplete);
        Assert.Equal(-1, Assert.Single(result.Errors).EntryIndex);
    }

    [Fact]
    public void Syntax_error_says_where()
    {
        string error = SingleError("[\n  { \"Prefix\": \"476173\" \"Issuer\": \"x\" }\n]");
        Assert.Contains("at line 2", error, StringComparison.Ordinal);
        Assert.Contains("not complete, valid JSON", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Object_root_is_explained()
    {
        BinRoutesParseResult result = Parse("""{ "Routes": [] }""");
        Assert.False(result.IsIncomplete);
        Assert.Contains("must hold a JSON array of routes", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""[ { "Prefix": "4", "Issuer": "a" }, { "Prefix": 476173, "Issuer": "a" } ]""",
        "routes[1]: Prefix must be a JSON string such as \"476173\" (a number would lose leading zeros), not a number.")]
    [InlineData("""[ { "Prefix": "4", "Issuer": "a" }, { "Prefix": "5" } ]""",
        "routes[1]: Issuer is missing; name the issuer that receives these card numbers.")]
    [InlineData("""[ { "Low": "510000", "Issuer": "a" } ]""", "routes[0]: has Low but no High.")]
    [InlineData("""[ { "High": "510000", "Issuer": "a" } ]""", "routes[0]: has High but no Low.")]
    [InlineData("""[ { "Issuer": "a" } ]""",
        "routes[0]: has neither Prefix nor Low and High; give either a Prefix, or a Low and a High.")]
    [InlineData("""[ { "Prefix": "5", "Low": "5", "High": "5", "Issuer": "a" } ]""",
        "routes[0]: has both Prefix and Low/High; give either a Prefix, or a Low and a High.")]
    [InlineData("""[ { "Prefix": "5", "Isuer": "a", "Issuer": "a" } ]""",
        "routes[0]: has the unknown property \"Isuer\"; a route has Prefix, or Low and High, and Issuer.")]
    [InlineData("""[ { "Prefix": "5", "Prefix": "6", "Issuer": "a" } ]""", "routes[0]: Prefix is given twice.")]
    [InlineData("""[ "476173" ]""",
        "routes[0]: is a string; each route is an object like { \"Prefix\": \"476173\", \"Issuer\": \"card-sim\" }.")]
    [InlineData("""[ { "Prefix": "4", "Issuer": "a" }, { "Low": "5599", "High": "5100", "Issuer": "a" } ]""",
        "routes[1]: Low \"5599\" is greater than High \"5100\"; swap them.")]
    [InlineData("""[ { "Prefix": "47 61", "Issuer": "a" } ]""",
        "routes[0]: Prefix \"47 61\" has ' ' at position 3; only the digits 0-9 are allowed.")]
    [InlineData("""[ { "Prefix": "4", "Issuer": "" } ]""",
        "routes[0]: Issuer is empty; name the issuer that receives these card numbers.")]
    public void Entry_errors_name_the_entry_and_the_problem(string json, string expected)
    {
        Assert.Equal(expected, SingleError(json));
    }

    [Fact]
    public void All_bad_entries_are_reported_not_just_the_first()
    {
        BinRoutesParseResult result = Parse("""
            [
              { "Prefix": "4", "Issuer": "ok" },
              { "Prefix": "4x", "Issuer": "a" },
              { "Prefix": "5", "Issuer": "ok" },
              { "Low": "6", "High": "7" }
            ]
            """);
        Assert.False(result.IsIncomplete);
        Assert.Equal([1, 3], result.Errors.Select(e => e.EntryIndex));
    }

    [Fact]
    public void Write_then_parse_round_trips()
    {
        var random = new Random(3);
        List<BinRoute> routes = RouteGenerator.Routes(random, 300, "rt-");
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            BinRoutesJson.WriteRoutes(writer, BinRoutingTable.Build(routes).Routes);
        }

        BinRoutesParseResult parsed = BinRoutesJson.Parse(buffer.ToArray());
        Assert.True(parsed.Succeeded);
        Assert.Equal(routes, parsed.Routes);
    }

    [Fact]
    public void Parsed_routes_keep_their_json_index_for_build_errors()
    {
        BinRoutesParseResult parsed = Parse("""
            [
              { "Prefix": "476173", "Issuer": "a" },
              { "Prefix": "5", "Issuer": "b" },
              { "Prefix": "476173", "Issuer": "c" }
            ]
            """);
        Assert.True(parsed.Succeeded);
        Assert.False(BinRoutingTable.TryBuild(parsed.Routes, null, out _, out var errors));
        Assert.StartsWith("routes[2]: prefix 476173 -> c duplicates routes[0]", Assert.Single(errors).ToString(), StringComparison.Ordinal);
    }
}
