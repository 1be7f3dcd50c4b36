using System.Text;

namespace PaymentSwitch.LoadTest.Internal;

/// <summary>What the next request is: a reversal of an earlier approval, or a new transaction to a BIN.</summary>
internal readonly struct TransactionDraw(bool reversal, byte[] bin, ResponseExpectation expectation, int mti)
{
    public bool Reversal { get; } = reversal;
    public byte[] Bin { get; } = bin;
    public ResponseExpectation Expectation { get; } = expectation;
    public int Mti { get; } = mti;
}

/// <summary>The transaction mix of a run, compiled from the options once: BINs as ASCII, shares, amount range. Immutable.</summary>
internal sealed class TransactionMix
{
    private readonly byte[][] _cardBins;
    private readonly byte[][] _walletBins;
    private readonly byte[][] _unknownBins;
    private readonly double _reversalShare;
    private readonly double _unknownShare;
    private readonly double _walletShare;
    private readonly double _financialShare;

    public TransactionMix(LoadTestOptions options)
    {
        _cardBins = ToAscii(options.CardBins);
        _walletBins = ToAscii(options.WalletBins);
        _unknownBins = ToAscii(options.UnknownBins);
        _reversalShare = options.ReversalShare;
        _unknownShare = options.UnknownBinShare;
        _walletShare = options.WalletShare;
        _financialShare = options.FinancialShare;
        AmountMinMinor = options.AmountMinMinor;
        AmountMaxMinor = options.AmountMaxMinor;
        PanLength = options.PanLength;
        Currency = Encoding.ASCII.GetBytes(options.CurrencyCode);
        AcquirerId = Encoding.ASCII.GetBytes(options.AcquirerId);
    }

    public long AmountMinMinor { get; }
    public long AmountMaxMinor { get; }
    public int PanLength { get; }
    public byte[] Currency { get; }
    public byte[] AcquirerId { get; }
    public bool KeepsApprovals => _reversalShare > 0;

    public TransactionDraw Draw(ref FastRandom random)
    {
        double r = random.NextDouble();
        int mti = random.NextDouble() < _financialShare ? PaymentSwitch.Iso8583.Mti.FinancialRequest : PaymentSwitch.Iso8583.Mti.AuthorisationRequest;
        if (r < _reversalShare) return new TransactionDraw(true, [], ResponseExpectation.AnyValid, PaymentSwitch.Iso8583.Mti.ReversalAdvice);
        if (r < _reversalShare + _unknownShare || _cardBins.Length + _walletBins.Length == 0)
            return new TransactionDraw(false, Pick(_unknownBins, ref random), ResponseExpectation.NoSuchIssuer, mti);
        return new TransactionDraw(false, PickKnown(ref random), ResponseExpectation.KnownIssuer, mti);
    }

    /// <summary>A new transaction to a known BIN (used when a reversal was drawn but nothing is approved yet).</summary>
    public TransactionDraw DrawKnown(ref FastRandom random)
    {
        int mti = random.NextDouble() < _financialShare ? PaymentSwitch.Iso8583.Mti.FinancialRequest : PaymentSwitch.Iso8583.Mti.AuthorisationRequest;
        return _cardBins.Length + _walletBins.Length == 0
            ? new TransactionDraw(false, Pick(_unknownBins, ref random), ResponseExpectation.NoSuchIssuer, mti)
            : new TransactionDraw(false, PickKnown(ref random), ResponseExpectation.KnownIssuer, mti);
    }

    private byte[] PickKnown(ref FastRandom random)
    {
        if (double.IsNaN(_walletShare))
        {
            int i = random.NextInt(_cardBins.Length + _walletBins.Length);
            return i < _cardBins.Length ? _cardBins[i] : _walletBins[i - _cardBins.Length];
        }
        bool wallet = _walletBins.Length > 0 && (_cardBins.Length == 0 || random.NextDouble() < _walletShare);
        return Pick(wallet ? _walletBins : _cardBins, ref random);
    }

    private static byte[] Pick(byte[][] bins, ref FastRandom random) => bins.Length == 1 ? bins[0] : bins[random.NextInt(bins.Length)];

    /// <summary>Writes a Luhn-valid card number of <see cref="PanLength"/> digits starting with <paramref name="bin"/>.</summary>
    public void WritePan(Span<byte> destination, ReadOnlySpan<byte> bin, ref FastRandom random)
    {
        Span<byte> pan = destination[..PanLength];
        bin.CopyTo(pan);
        Span<byte> account = pan[bin.Length..^1];
        ulong bits = random.NextUInt64();
        for (int i = 0; i < account.Length; i++)
        {
            if (i == 18) bits = random.NextUInt64();
            account[i] = (byte)('0' + (int)(bits % 10));
            bits /= 10;
        }
        pan[^1] = Luhn.CheckDigit(pan[..^1]);
    }

    public long NextAmount(ref FastRandom random) => random.NextInt64Inclusive(AmountMinMinor, AmountMaxMinor);

    private static byte[][] ToAscii(IReadOnlyList<string> bins)
    {
        var result = new byte[bins.Count][];
        for (int i = 0; i < bins.Count; i++) result[i] = Encoding.ASCII.GetBytes(bins[i]);
        return result;
    }
}
