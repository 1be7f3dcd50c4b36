using PaymentSwitch.LoadTest.Internal;

namespace PaymentSwitch.LoadTest.Tests;

public sealed class TransactionMixTests
{
    [Theory]
    [InlineData("4", 2)]
    [InlineData("7992739871", 3)]
    [InlineData("453201511283036", 6)]
    public void The_check_digit_is_the_Luhn_digit(string payload, int expected)
    {
        byte[] digits = System.Text.Encoding.ASCII.GetBytes(payload);
        Assert.Equal((byte)('0' + expected), Luhn.CheckDigit(digits));
    }

    [Fact]
    public void Card_numbers_start_with_their_BIN_have_the_set_length_and_pass_Luhn()
    {
        var options = new LoadTestOptions { CardBins = ["476173", "51000012"], PanLength = 19 };
        var mix = new TransactionMix(options);
        var random = new FastRandom(1);
        Span<byte> pan = stackalloc byte[19];
        var accounts = new HashSet<string>();
        for (int i = 0; i < 2000; i++)
        {
            TransactionDraw draw = mix.Draw(ref random);
            mix.WritePan(pan, draw.Bin, ref random);
            Assert.True(pan.StartsWith(draw.Bin));
            Assert.True(Luhn.IsValid(pan));
            Assert.Equal(-1, pan.IndexOfAnyExceptInRange((byte)'0', (byte)'9'));
            accounts.Add(System.Text.Encoding.ASCII.GetString(pan));
        }
        Assert.True(accounts.Count > 1990, "account digits vary");
    }

    [Fact]
    public void Shares_of_reversals_unknown_BINs_wallets_and_financial_requests_follow_the_options()
    {
        var options = new LoadTestOptions
        {
            CardBins = ["476173"],
            WalletBins = ["999999"],
            UnknownBins = ["100000"],
            WalletShare = 0.25,
            UnknownBinShare = 0.1,
            ReversalShare = 0.2,
            FinancialShare = 0.5,
        };
        var mix = new TransactionMix(options);
        var random = new FastRandom(42);
        int n = 100_000, reversals = 0, unknown = 0, wallet = 0, card = 0, financial = 0;
        for (int i = 0; i < n; i++)
        {
            TransactionDraw d = mix.Draw(ref random);
            if (d.Reversal) { reversals++; continue; }
            if (d.Expectation == ResponseExpectation.NoSuchIssuer) unknown++;
            else if (d.Bin.AsSpan().SequenceEqual("999999"u8)) wallet++;
            else card++;
            if (d.Mti == 200) financial++;
        }
        Assert.InRange(reversals / (double)n, 0.19, 0.21);
        Assert.InRange(unknown / (double)n, 0.09, 0.11);
        Assert.InRange(wallet / (double)(wallet + card), 0.24, 0.26);
        Assert.InRange(financial / (double)(n - reversals), 0.49, 0.51);
    }

    [Fact]
    public void Amounts_stay_in_range()
    {
        var mix = new TransactionMix(new LoadTestOptions { AmountMinMinor = 100, AmountMaxMinor = 105 });
        var random = new FastRandom(7);
        var seen = new HashSet<long>();
        for (int i = 0; i < 1000; i++) seen.Add(mix.NextAmount(ref random));
        Assert.Equal([100L, 101, 102, 103, 104, 105], seen.Order().ToArray());
    }
}
