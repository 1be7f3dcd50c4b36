using System.Text;
using PaymentSwitch.Core.Routing;

namespace PaymentSwitch.Core.Tests.Routing;

public sealed class BinRoutingTableLookupTests
{
    private static BinRoutingTable Table(params BinRoute[] routes) => BinRoutingTable.Build(routes);

    private static BinRouteMatch Lookup(BinRoutingTable table, string pan)
    {
        BinRouteMatch bytes = table.Lookup(Encoding.ASCII.GetBytes(pan));
        BinRouteMatch chars = table.Lookup(pan.AsSpan());
        Assert.Equal(bytes.Status, chars.Status);
        Assert.Equal(bytes.RouteIndex, chars.RouteIndex);
        Assert.Equal(bytes.IssuerId, chars.IssuerId);
        return bytes;
    }

    private static string? IssuerFor(BinRoutingTable table, string pan) => Lookup(table, pan).IssuerId;

    [Theory]
    [InlineData("4")]
    [InlineData("47")]
    [InlineData("476")]
    [InlineData("4761")]
    [InlineData("47617")]
    [InlineData("476173")]
    [InlineData("4761731")]
    [InlineData("47617312")]
    [InlineData("476173123")]
    [InlineData("4761731234")]
    [InlineData("47617312345")]
    public void Prefix_of_every_length_matches_pans_that_start_with_it_and_nothing_else(string prefix)
    {
        var table = Table(BinRoute.ForPrefix(prefix, "issuer"));
        const string Pan = "4761731234567890";
        Assert.Equal("issuer", IssuerFor(table, Pan));

        // Change the prefix's last digit in the PAN: no longer matches.
        char[] other = Pan.ToCharArray();
        other[prefix.Length - 1] = other[prefix.Length - 1] == '9' ? '0' : (char)(other[prefix.Length - 1] + 1);
        BinRouteMatch miss = Lookup(table, new string(other));
        Assert.Equal(BinRouteMatchStatus.NoRoute, miss.Status);
        Assert.Null(miss.IssuerId);
        Assert.Equal(-1, miss.RouteIndex);
    }

    [Fact]
    public void Range_matches_its_ends_and_everything_between_but_not_beyond()
    {
        var table = Table(BinRoute.ForRange("510000", "559999", "mc"));
        Assert.Equal("mc", IssuerFor(table, "5100000000000000"));
        Assert.Equal("mc", IssuerFor(table, "5300001234567890"));
        Assert.Equal("mc", IssuerFor(table, "5599999999999999"));
        Assert.Null(IssuerFor(table, "5099999999999999"));
        Assert.Null(IssuerFor(table, "5600000000000000"));
    }

    [Fact]
    public void Range_with_leading_zeros_keeps_its_length()
    {
        var table = Table(BinRoute.ForRange("0012", "0034", "zeros"));
        Assert.Equal("zeros", IssuerFor(table, "0020111122223333"));
        Assert.Null(IssuerFor(table, "0120111122223333"));
        Assert.Null(IssuerFor(table, "2011112222333344"));
    }

    [Fact]
    public void Nested_prefixes_the_longest_wins()
    {
        var table = Table(
            BinRoute.ForPrefix("4", "visa"),
            BinRoute.ForPrefix("4761", "visa-de"),
            BinRoute.ForPrefix("476173", "card-sim"));
        Assert.Equal("card-sim", IssuerFor(table, "4761731234567890"));
        Assert.Equal("visa-de", IssuerFor(table, "4761741234567890"));
        Assert.Equal("visa", IssuerFor(table, "4000001234567890"));
        Assert.Null(IssuerFor(table, "5000001234567890"));
    }

    [Fact]
    public void Nested_ranges_of_equal_length_the_narrower_wins()
    {
        var table = Table(
            BinRoute.ForRange("510000", "559999", "wide"),
            BinRoute.ForRange("520000", "529999", "middle"),
            BinRoute.ForRange("522000", "522099", "narrow"));
        Assert.Equal("narrow", IssuerFor(table, "5220501234567890"));
        Assert.Equal("middle", IssuerFor(table, "5221001234567890"));
        Assert.Equal("wide", IssuerFor(table, "5300001234567890"));
    }

    [Fact]
    public void Prefix_inside_a_range_of_equal_length_wins_because_it_is_narrower()
    {
        var table = Table(
            BinRoute.ForRange("510000", "559999", "range"),
            BinRoute.ForPrefix("520001", "prefix"));
        Assert.Equal("prefix", IssuerFor(table, "5200011234567890"));
        Assert.Equal("range", IssuerFor(table, "5200021234567890"));
    }

    [Fact]
    public void Longer_range_inside_a_shorter_prefix_wins_and_longer_prefix_inside_a_shorter_range_wins()
    {
        var table = Table(
            BinRoute.ForPrefix("45", "short-prefix"),
            BinRoute.ForRange("45000000", "45999999", "long-range"), // as wide as the prefix, but 8 digits
            BinRoute.ForRange("600", "699", "short-range"),
            BinRoute.ForPrefix("6501", "long-prefix"));
        Assert.Equal("long-range", IssuerFor(table, "4512345678901234"));
        Assert.Equal("long-prefix", IssuerFor(table, "6501000000000000"));
        Assert.Equal("short-range", IssuerFor(table, "6502000000000000"));
    }

    [Fact]
    public void Length_decides_before_width()
    {
        // A 7-digit range covering 100 values beats a 6-digit prefix (1 value) although the prefix is narrower
        // in the key space of 6 digits: routes with more digits always win.
        var table = Table(
            BinRoute.ForPrefix("476173", "six"),
            BinRoute.ForRange("4761700", "4761799", "seven"));
        Assert.Equal("seven", IssuerFor(table, "4761731234567890"));
    }

    [Fact]
    public void Partially_overlapping_ranges_switch_issuer_where_the_narrower_one_starts_and_ends()
    {
        // a and b below have the same width and overlap with different issuers: that table is rejected.
        Assert.False(BinRoutingTable.TryBuild(
            [BinRoute.ForRange("400", "499", "a"), BinRoute.ForRange("450", "549", "b")], null, out _, out _));

        var valid = Table(
            BinRoute.ForRange("400", "499", "a"),
            BinRoute.ForRange("450", "539", "b"), // 90 wide
            BinRoute.ForRange("480", "520", "c")); // 41 wide
        Assert.Equal("a", IssuerFor(valid, "4490000000000000"));
        Assert.Equal("b", IssuerFor(valid, "4500000000000000"));
        Assert.Equal("b", IssuerFor(valid, "4790000000000000"));
        Assert.Equal("c", IssuerFor(valid, "4800000000000000"));
        Assert.Equal("c", IssuerFor(valid, "5200000000000000"));
        Assert.Equal("b", IssuerFor(valid, "5210000000000000"));
        Assert.Equal("b", IssuerFor(valid, "5390000000000000"));
        Assert.Null(IssuerFor(valid, "5400000000000000"));
    }

    [Fact]
    public void Pan_shorter_than_a_route_does_not_match_it_but_matches_shorter_routes()
    {
        var table = Table(
            BinRoute.ForPrefix("47", "two"),
            BinRoute.ForPrefix("476173", "six"),
            BinRoute.ForPrefix("47617312345", "eleven"));
        Assert.Equal("two", IssuerFor(table, "47617"));
        Assert.Equal("six", IssuerFor(table, "476173"));
        Assert.Equal("six", IssuerFor(table, "4761731234"));
        Assert.Equal("eleven", IssuerFor(table, "47617312345"));
        Assert.Null(IssuerFor(table, "4"));

        var onlyLong = Table(BinRoute.ForPrefix("47617312", "eight"));
        Assert.Equal(BinRouteMatchStatus.NoRoute, Lookup(onlyLong, "4761731").Status);
        Assert.Equal("eight", IssuerFor(onlyLong, "47617312"));
    }

    [Theory]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(18)]
    [InlineData(19)]
    public void Pans_of_12_to_19_digits_route_by_their_leading_digits(int length)
    {
        var table = Table(
            BinRoute.ForPrefix("47617312345", "eleven"),
            BinRoute.ForPrefix("4761", "four"));
        string pan = "47617312345" + new string('9', length - 11);
        Assert.Equal("eleven", IssuerFor(table, pan));
        string other = "47617312346" + new string('0', length - 11);
        Assert.Equal("four", IssuerFor(table, other));
    }

    [Theory]
    [InlineData("")]
    [InlineData("47617312345678901234")] // 20 digits
    [InlineData("4761731234567a90")]
    [InlineData("4761 7312 3456 7890")]
    [InlineData("476173123456789 ")]
    [InlineData("-476173123456789")]
    [InlineData("4761731234567:90")] // ':' follows '9' in ASCII
    [InlineData("4761731234567/90")] // '/' precedes '0'
    [InlineData("47617")] // fine: a short PAN, used as a control below
    public void Input_that_is_not_digits_gives_invalid_pan_never_an_exception(string input)
    {
        var table = Table(BinRoute.ForPrefix("4", "visa"));
        BinRouteMatch match = Lookup(table, input);
        bool isPan = input.Length is > 0 and <= 19 && input.All(char.IsAsciiDigit);
        Assert.Equal(isPan ? BinRouteMatchStatus.Matched : BinRouteMatchStatus.InvalidPan, match.Status);
        Assert.Equal(isPan, match.IsMatch);
    }

    [Fact]
    public void Non_ascii_digits_and_high_bytes_are_invalid()
    {
        var table = Table(BinRoute.ForPrefix("4", "visa"));
        Assert.Equal(BinRouteMatchStatus.InvalidPan, table.Lookup("47617\u0663123456789".AsSpan()).Status);
        byte[] withHighByte = Encoding.ASCII.GetBytes("4761731234567890");
        withHighByte[12] = 0xB5;
        Assert.Equal(BinRouteMatchStatus.InvalidPan, table.Lookup(withHighByte).Status);
        withHighByte[12] = (byte)('5' + 0x80);
        Assert.Equal(BinRouteMatchStatus.InvalidPan, table.Lookup(withHighByte).Status);
    }

    [Fact]
    public void Chars_whose_low_byte_is_a_digit_are_not_digits()
    {
        // U+0134 and U+3034 narrow to '4' if only the low byte is looked at.
        var table = Table(BinRoute.ForPrefix("4", "visa"));
        for (int length = 1; length <= 19; length++)
        {
            for (int position = 0; position < length; position++)
            {
                foreach (char impostor in "\u0134\u3034\uFF14")
                {
                    char[] pan = new string('4', length).ToCharArray();
                    pan[position] = impostor;
                    Assert.Equal(BinRouteMatchStatus.InvalidPan, table.Lookup(pan.AsSpan()).Status);
                }
            }
        }
    }

    [Fact]
    public void Every_position_of_a_19_digit_pan_is_checked()
    {
        var table = Table(BinRoute.ForPrefix("4", "visa"));
        for (int length = 1; length <= 19; length++)
        {
            for (int position = 0; position < length; position++)
            {
                char[] pan = new string('4', length).ToCharArray();
                pan[position] = 'x';
                Assert.Equal(BinRouteMatchStatus.InvalidPan, Lookup(table, new string(pan)).Status);
            }
        }
    }

    [Fact]
    public void Match_reports_route_issuer_and_snapshot()
    {
        var table = BinRoutingTable.Build(
            [BinRoute.ForPrefix("4", "visa"), BinRoute.ForRange("510000", "559999", "mc")],
            new BinRoutingTableBuildOptions { Version = 42, Source = "test" });
        BinRouteMatch match = table.Lookup("5300001234567890"u8);
        Assert.True(match.IsMatch);
        Assert.Same(table, match.Table);
        Assert.Equal(1, match.RouteIndex);
        Assert.Equal("mc", match.IssuerId);
        Assert.Equal("mc", table.Issuers[match.IssuerIndex]);
        Assert.Equal(BinRoute.ForRange("510000", "559999", "mc"), match.Route);
        Assert.Equal("matched routes[1] (range 510000-559999 -> mc) in version 42", match.ToString());
    }

    [Fact]
    public void Default_match_reads_as_no_route()
    {
        BinRouteMatch match = default;
        Assert.False(match.IsMatch);
        Assert.Equal(BinRouteMatchStatus.NoRoute, match.Status);
        Assert.Equal(-1, match.RouteIndex);
        Assert.Equal(-1, match.IssuerIndex);
        Assert.Null(match.IssuerId);
    }

    [Fact]
    public void Empty_table_routes_nothing()
    {
        Assert.Equal(0, BinRoutingTable.Empty.RouteCount);
        Assert.Equal(0, BinRoutingTable.Empty.Version);
        Assert.Equal(BinRouteMatchStatus.NoRoute, BinRoutingTable.Empty.Lookup("4761731234567890"u8).Status);
        Assert.Equal(BinRouteMatchStatus.NoRoute, BinRoutingTable.Empty.Lookup("47"u8).Status);
    }

    [Fact]
    public void Whole_key_space_edges()
    {
        var table = Table(
            BinRoute.ForPrefix("00000000000", "lowest"),
            BinRoute.ForPrefix("99999999999", "highest"),
            BinRoute.ForRange("0", "9", "everything"));
        Assert.Equal("lowest", IssuerFor(table, "0000000000000000000"));
        Assert.Equal("highest", IssuerFor(table, "9999999999999999999"));
        Assert.Equal("everything", IssuerFor(table, "0000000000100000000"));
        Assert.Equal("everything", IssuerFor(table, "9999999999899999999"));
        Assert.Equal("everything", IssuerFor(table, "9"));
    }

    [Fact]
    public void Routes_are_listed_in_configuration_order_as_written()
    {
        BinRoute[] routes =
        [
            BinRoute.ForPrefix("476173", "card-sim"),
            BinRoute.ForRange("0510", "0559", "wallet"),
            BinRoute.ForRange("4", "4", "single-value-range"),
        ];
        var table = BinRoutingTable.Build(routes);
        Assert.Equal(routes, table.Routes);
        Assert.Equal(["card-sim", "wallet", "single-value-range"], table.Issuers);
        Assert.Equal(3, table.RouteCount);
    }

    [Fact]
    public void Same_issuer_duplicates_are_accepted_and_the_earlier_entry_is_reported()
    {
        var table = Table(
            BinRoute.ForPrefix("476173", "card-sim"),
            BinRoute.ForPrefix("476173", "card-sim"),
            BinRoute.ForRange("476173", "476173", "card-sim"));
        BinRouteMatch match = Lookup(table, "4761731234567890");
        Assert.Equal(0, match.RouteIndex);

        // Equal width and same issuer, overlapping: where both cover, the earlier entry is reported.
        var overlapping = Table(
            BinRoute.ForRange("450", "549", "x"),
            BinRoute.ForRange("400", "499", "x"));
        Assert.Equal(1, Lookup(overlapping, "4200000000000000").RouteIndex);
        Assert.Equal(0, Lookup(overlapping, "4700000000000000").RouteIndex);
        Assert.Equal(0, Lookup(overlapping, "5000000000000000").RouteIndex);
    }
}
