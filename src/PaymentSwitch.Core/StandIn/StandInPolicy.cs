using System.Security.Cryptography;
using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Core.Configuration;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Core.StandIn;

/// <summary>
/// Decides stand-in approvals for one issuer within its configured limits: amount per transaction, total per card per
/// UTC day, allowed currencies, excluded merchant categories (expired cards were already declined by the switch).
/// Approvals get a switch-generated approval code starting with <c>S</c>. The per-card totals live in memory with a
/// bound on the number of cards; cards are tracked by a salted hash, never by number. Only cards of earlier UTC days
/// are forgotten (their totals no longer count); when the bound is full of cards approved today, a card not yet seen
/// today is declined rather than another card's limit forgotten.
/// </summary>
public sealed class StandInPolicy
{
    private readonly StandInOptions _options;
    private readonly HashSet<string> _currencies;
    private readonly HashSet<string> _excludedCategories;
    private readonly Dictionary<ulong, (int Day, long Total, long Seq)> _dailyByCard = [];
    private readonly Queue<(ulong Card, long Seq)> _cardOrder = new(); // by first approval of the day; one live item per card
    private long _seq;
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
            ForgetEarlierDays(today);
            bool trackedToday = _dailyByCard.TryGetValue(card, out var seen) && seen.Day == today;
            long total = trackedToday ? seen.Total : 0;
            if (total + amount > _options.MaxDailyAmountPerCardMinor) return Decline();
            if (trackedToday)
            {
                _dailyByCard[card] = (today, total + amount, seen.Seq);
            }
            else
            {
                // Every tracked card was approved today: tracking one more would forget another's limit.
                if (_dailyByCard.Count >= _options.MaxTrackedCards) return Decline();
                long seq = ++_seq;
                _cardOrder.Enqueue((card, seq));
                _dailyByCard[card] = (today, amount, seq);
            }
        }
        WriteApprovalCode(approvalCode);
        Interlocked.Increment(ref _approved);
        return true;
    }

    /// <summary>Drops the cards whose totals are from an earlier day (they sit at the front of the order), and stale order items.</summary>
    private void ForgetEarlierDays(int today)
    {
        while (_cardOrder.TryPeek(out (ulong Card, long Seq) item))
        {
            bool live = _dailyByCard.TryGetValue(item.Card, out var entry) && entry.Seq == item.Seq;
            if (live && entry.Day == today) return;
            _cardOrder.Dequeue();
            if (live) _dailyByCard.Remove(item.Card);
        }
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
