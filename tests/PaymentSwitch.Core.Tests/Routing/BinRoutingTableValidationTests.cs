using PaymentSwitch.Core.Routing;

namespace PaymentSwitch.Core.Tests.Routing;

public sealed class BinRoutingTableValidationTests
{
    private static IReadOnlyList<BinRouteError> Errors(params BinRoute[] routes)
    {
        Assert.False(BinRoutingTable.TryBuild(routes, null, out BinRoutingTable? table, out IReadOnlyList<BinRouteError> errors));
        Assert.Null(table);
        Assert.NotEmpty(errors);
        return errors;
    }

    private static string SingleError(params BinRoute[] routes)
    {
        BinRouteError error = Assert.Single(Errors(routes));
        return error.ToString();
    }

    private static readonly BinRoute Good = BinRoute.ForPrefix("4", "visa");

    [Fact]
    public void Non_digit_is_named_with_its_position()
    {
        string error = SingleError(Good, BinRoute.ForPrefix("47a173", "card-sim"));
        Assert.StartsWith("routes[1]: ", error, StringComparison.Ordinal);
        Assert.Contains("Prefix \"47a173\" has 'a' at position 3", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Low_greater_than_high_is_an_error()
    {
        string error = SingleError(BinRoute.ForRange("559999", "510000", "mc"), Good);
        Assert.StartsWith("routes[0]: ", error, StringComparison.Ordinal);
        Assert.Contains("Low \"559999\" is greater than High \"510000\"", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Ends_of_different_lengths_are_an_error()
    {
        string error = SingleError(Good, Good, BinRoute.ForRange("51", "559999", "mc"));
        Assert.StartsWith("routes[2]: ", error, StringComparison.Ordinal);
        Assert.Contains("Low \"51\" has 2 digits but High \"559999\" has 6", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "Prefix is empty")]
    [InlineData("476173123456", "Prefix has 12 characters; a route has 1 to 11 digits")]
    public void Length_out_of_range_is_an_error(string prefix, string expected)
    {
        string error = SingleError(BinRoute.ForPrefix(prefix, "x"));
        Assert.StartsWith("routes[0]: ", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_card_number_typed_as_a_route_is_not_echoed()
    {
        const string Pan = "4761731234567890";
        BinRoutingValidationException exception = Assert.Throws<BinRoutingValidationException>(
            () => BinRoutingTable.Build([BinRoute.ForPrefix(Pan, "x"), BinRoute.ForRange("4761731234567", "4761739999999", "y")]));
        Assert.Equal(3, exception.Errors.Count); // the prefix, and both ends of the range
        Assert.DoesNotContain("4761731234", exception.Message, StringComparison.Ordinal);
        Assert.Contains("not shown", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "Issuer is empty")]
    [InlineData("   ", "Issuer is empty")]
    [InlineData(" card-sim", "starts or ends with white space")]
    [InlineData("card\nsim", "control character")]
    public void Bad_issuer_id_is_an_error(string issuer, string expected)
    {
        string error = SingleError(Good, BinRoute.ForPrefix("5", issuer));
        Assert.StartsWith("routes[1]: ", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Over_long_issuer_id_is_an_error()
    {
        string error = SingleError(BinRoute.ForPrefix("5", new string('i', 65)));
        Assert.Contains("Issuer has 65 characters; at most 64", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_entry_is_an_error()
    {
        string error = SingleError(Good, null!);
        Assert.Equal("routes[1]: is null.", error);
    }

    [Fact]
    public void Duplicate_prefix_for_a_different_issuer_names_both_entries()
    {
        string error = SingleError(
            BinRoute.ForPrefix("476173", "card-sim"),
            Good,
            BinRoute.ForPrefix("476173", "wallet-sim"));
        Assert.Equal(
            "routes[2]: prefix 476173 -> wallet-sim duplicates routes[0] (prefix 476173 -> card-sim) but names a different issuer; remove one of them.",
            error);
    }

    [Fact]
    public void Prefix_and_single_value_range_are_the_same_route()
    {
        string error = SingleError(BinRoute.ForRange("476173", "476173", "a"), BinRoute.ForPrefix("476173", "b"));
        Assert.Contains("routes[1]: prefix 476173 -> b duplicates routes[0] (range 476173-476173 -> a)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Equally_specific_overlapping_ranges_for_different_issuers_are_an_error()
    {
        string error = SingleError(
            BinRoute.ForRange("510000", "519999", "a"),
            BinRoute.ForRange("515000", "524999", "b"));
        Assert.StartsWith("routes[1]: range 515000-524999 -> b overlaps routes[0] (range 510000-519999 -> a) on 515000-519999",
            error, StringComparison.Ordinal);
    }

    [Fact]
    public void Conflict_hidden_behind_a_same_issuer_neighbour_is_found()
    {
        // Sorted by Low: a(x) 100-199, b(x) 120-219, c(y) 150-249. a-c conflict; the b-c pair reveals it.
        IReadOnlyList<BinRouteError> errors = Errors(
            BinRoute.ForRange("100", "199", "x"),
            BinRoute.ForRange("120", "219", "x"),
            BinRoute.ForRange("150", "249", "y"));
        Assert.Contains(errors, e => e.EntryIndex == 2);
    }

    [Fact]
    public void Unknown_issuer_is_an_error_when_issuers_are_known()
    {
        var options = new BinRoutingTableBuildOptions { KnownIssuers = new HashSet<string> { "visa" } };
        Assert.False(BinRoutingTable.TryBuild([Good, BinRoute.ForPrefix("5", "mastercrad")], options, out _, out var errors));
        Assert.Equal("routes[1]: Issuer \"mastercrad\" is not a configured issuer.", Assert.Single(errors).ToString());
        Assert.True(BinRoutingTable.TryBuild([Good], options, out _, out _));
    }

    [Fact]
    public void Every_bad_entry_is_reported_up_to_a_bound()
    {
        var routes = new List<BinRoute>();
        for (int i = 0; i < 250; i++)
        {
            routes.Add(BinRoute.ForPrefix("x" + i, "issuer"));
        }

        IReadOnlyList<BinRouteError> errors = Errors([.. routes]);
        Assert.Equal(101, errors.Count);
        Assert.Equal(99, errors[99].EntryIndex);
        Assert.Equal(-1, errors[100].EntryIndex);
        Assert.Contains("150 more errors", errors[100].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_problems_in_one_entry_are_all_reported()
    {
        IReadOnlyList<BinRouteError> errors = Errors(BinRoute.ForRange("5a", "5b", ""));
        Assert.Equal(3, errors.Count);
        Assert.All(errors, e => Assert.Equal(0, e.EntryIndex));
    }

    [Fact]
    public void More_routes_than_a_table_holds_is_an_error_before_any_is_read()
    {
        Assert.False(BinRoutingTable.TryBuild(new HugeRouteList(), null, out _, out var errors));
        BinRouteError error = Assert.Single(errors);
        Assert.Equal(-1, error.EntryIndex);
        Assert.Contains($"more than the {BinRoutingTable.MaxRouteCount}", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Claims one route more than the limit; reading any entry fails the test.</summary>
    private sealed class HugeRouteList : IReadOnlyList<BinRoute>
    {
        public int Count => BinRoutingTable.MaxRouteCount + 1;

        public BinRoute this[int index] => throw new InvalidOperationException("the count alone must be rejected");

        public IEnumerator<BinRoute> GetEnumerator() => throw new InvalidOperationException("the count alone must be rejected");

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    [Fact]
    public void Route_text_never_shows_a_long_value()
    {
        Assert.Equal("prefix 476173 -> card-sim", BinRoute.ForPrefix("476173", "card-sim").ToString());
        Assert.Equal("range 0510-0559 -> w", BinRoute.ForRange("0510", "0559", "w").ToString());
        Assert.Equal("prefix \"47a\" -> x", BinRoute.ForPrefix("47a", "x").ToString());
        Assert.Equal("prefix (16 characters, not shown) -> x", BinRoute.ForPrefix("4761731234567890", "x").ToString());
    }

    [Fact]
    public void Build_throws_with_all_errors_in_the_message()
    {
        BinRoutingValidationException exception = Assert.Throws<BinRoutingValidationException>(
            () => BinRoutingTable.Build([BinRoute.ForPrefix("4x", "a"), BinRoute.ForRange("9", "1", "b")]));
        Assert.Contains("routes[0]:", exception.Message, StringComparison.Ordinal);
        Assert.Contains("routes[1]:", exception.Message, StringComparison.Ordinal);
    }
}
