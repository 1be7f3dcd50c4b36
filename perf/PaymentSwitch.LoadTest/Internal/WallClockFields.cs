namespace PaymentSwitch.LoadTest.Internal;

/// <summary>
/// DE7 (transmission date and time, MMDDhhmmss), DE12 (hhmmss) and DE13 (MMDD) of the current second, in UTC,
/// rewritten only when the second changes. Owned by the scheduler thread, which builds every request.
/// </summary>
internal sealed class WallClockFields
{
    private readonly byte[] _de7 = new byte[10];
    private readonly byte[] _de12 = new byte[6];
    private readonly byte[] _de13 = new byte[4];
    private long _second = -1;

    public WallClockFields() => Update();

    public ReadOnlySpan<byte> TransmissionDateTime => _de7;
    public ReadOnlySpan<byte> LocalTime => _de12;
    public ReadOnlySpan<byte> LocalDate => _de13;

    public void Update()
    {
        DateTime now = DateTime.UtcNow;
        long second = now.Ticks / TimeSpan.TicksPerSecond;
        if (second == _second) return;
        _second = second;
        AsciiDigits.Write(_de13.AsSpan(0, 2), now.Month);
        AsciiDigits.Write(_de13.AsSpan(2, 2), now.Day);
        AsciiDigits.Write(_de12.AsSpan(0, 2), now.Hour);
        AsciiDigits.Write(_de12.AsSpan(2, 2), now.Minute);
        AsciiDigits.Write(_de12.AsSpan(4, 2), now.Second);
        _de13.CopyTo(_de7, 0);
        _de12.CopyTo(_de7, 4);
    }
}
