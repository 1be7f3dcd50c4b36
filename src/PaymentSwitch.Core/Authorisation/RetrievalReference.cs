namespace PaymentSwitch.Core.Authorisation;

/// <summary>
/// A retrieval reference number (DE37, 12 characters) in the common convention: last digit of the year, day of the
/// year (3), hour (2), then the 6-digit STAN. Unique for a STAN within the hour.
/// </summary>
internal readonly struct RetrievalReference
{
    private readonly long _value;

    private RetrievalReference(long value) => _value = value;

    public static RetrievalReference Create(DateTime utc, int stan)
        => new(((((long)(utc.Year % 10) * 1000) + utc.DayOfYear) * 100 + utc.Hour) * 1_000_000 + stan);

    /// <summary>Reads the 12 digits written by <see cref="Format"/> (from a journal record).</summary>
    public static RetrievalReference Parse(string digits) => new(long.TryParse(digits, out long v) ? v : 0);

    public override string ToString()
    {
        Span<byte> digits = stackalloc byte[12];
        Format(digits);
        return System.Text.Encoding.ASCII.GetString(digits);
    }

    public void Format(Span<byte> destination)
    {
        long v = _value;
        for (int i = 11; i >= 0; i--, v /= 10) destination[i] = (byte)('0' + (v % 10));
    }
}
