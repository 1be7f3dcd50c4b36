using System.Security.Cryptography;
using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Core.Configuration;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Core.StandIn;

/// <summary>
/// Decides stand-in approvals for one issuer within its configured limits: amount per transaction, total per card per
/// UTC day, allowed currencies, excluded merchant categories (expired cards were already declined by the switch).
/// Approvals get a switch-generated approval code starting with <c>S</c>. The per-card totals live in memory with a
/// bound on the number of cards (oldest forgotten first); cards are tracked by a salted hash, never by number.
/// </summary>
public sealed class StandInPolicy
{
    private readonly StandInOptions _options;
    private readonly HashSet<string> _currencies;
    private readonly HashSet<string> _excludedCategories;
    private readonly Dictionary<ulong, (int Day, long Total)> _dailyByCard = [];
    private readonly Queue<ulong> _cardOrder = new();
    private readonly Lock _lock = new();
    private readonly ulong _salt = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
    private int _nextCode = RandomNumberGenerator.GetInt32(0, 36 * 36 * 36 * 36 * 36);
    private long _approved;
    private long _declined;

    public StandInPolicy(StandInOptions options)
    {
        _options = options;
        _currencies = [.. options.Currencies];
        _excludedCategories = [.. options.ExcludedMerchantCategories];
    }

    public bool Enabled => _options.Enabled;

    public long ApprovedTotal => Volatile.Read(ref _approved);

    public long DeclinedTotal => Volatile.Read(ref _declined);

    /// <summary>
    /// Approves (filling a 6-character approval code) or declines <paramref name="request"/> on the issuer's behalf.
    /// An approval counts against the card's daily total.
    /// </summary>
    public bool TryApprove(IsoMessage request, long amount, Span<byte> approvalCode)
    {
        if (!Enabled || amount > _options.MaxAmountMinor || !Allowed(request)) return Decline();
        Span<byte> pan = stackalloc byte[19];
        if (!request.TryGetAscii(2, pan, out ReadOnlySpan<byte> digits)) return Decline();
        ulong card = Hash(digits);
        int today = (int)(DateTime.UtcNow.Ticks / TimeSpan.TicksPerDay);
        lock (_lock)
        {
            (int day, long total) = _dailyByCard.TryGetValue(card, out var seen) ? seen : (today, 0L);
            if (day != today) total = 0;
            if (total + amount > _options.MaxDailyAmountPerCardMinor) return Decline();
            if (!_dailyByCard.ContainsKey(card))
            {
                _cardOrder.Enqueue(card);
                while (_cardOrder.Count > _options.MaxTrackedCards) _dailyByCard.Remove(_cardOrder.Dequeue());
            }
            _dailyByCard[card] = (today, total + amount);
        }
        WriteApprovalCode(approvalCode);
        Interlocked.Increment(ref _approved);
        return true;
    }

    private bool Decline()
    {
        Interlocked.Increment(ref _declined);
        return false;
    }

    private bool Allowed(IsoMessage request)
    {
        Span<byte> scratch = stackalloc byte[4];
        if (!request.TryGetAscii(49, scratch, out ReadOnlySpan<byte> currency) || !_currencies.Contains(System.Text.Encoding.ASCII.GetString(currency)))
            return false;
        if (_excludedCategories.Count > 0 && request.TryGetAscii(18, scratch, out ReadOnlySpan<byte> mcc) && _excludedCategories.Contains(System.Text.Encoding.ASCII.GetString(mcc)))
            return false;
        return true;
    }

    /// <summary>"S" and five base-36 characters from a counter (unique within 60 million approvals).</summary>
    private void WriteApprovalCode(Span<byte> code)
    {
        int n = (int)((uint)Interlocked.Increment(ref _nextCode) % (36u * 36 * 36 * 36 * 36));
        code[0] = (byte)'S';
        for (int i = 5; i >= 1; i--, n /= 36) code[i] = (byte)(n % 36 < 10 ? '0' + (n % 36) : 'A' + (n % 36) - 10);
    }

    private ulong Hash(ReadOnlySpan<byte> digits)
    {
        ulong h = 14695981039346656037UL ^ _salt;
        foreach (byte b in digits) h = (h ^ b) * 1099511628211UL;
        return h;
    }
}
