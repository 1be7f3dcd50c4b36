using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace PaymentSwitch.Simulators;

/// <summary>
/// A fault a simulated issuer injects, as written on the command line and the admin endpoint:
/// <c>none</c>, <c>silent</c>, <c>late:MS</c>, <c>drop</c> (every request), <c>drop:N</c> (every Nth request),
/// <c>garbage</c>, <c>error</c>. Immutable; swap it at run time with the simulator's <c>SetFault</c>.
/// </summary>
/// <remarks>
/// Faults act on the <em>answer</em>: except for <see cref="FaultKind.Error"/>, the request is authorised and booked
/// first, then its answer is withheld, delayed, replaced or lost with the connection. That is the case that puts money
/// at risk (the issuer approved, the switch never heard) and the one the switch's reversals exist for.
/// </remarks>
public sealed record FaultMode
{
    /// <summary>The longest <c>late:MS</c> delay accepted (10 minutes).</summary>
    public const int MaxDelayMs = 600_000;

    private FaultMode(FaultKind kind, int delayMs, int everyNth)
    {
        Kind = kind;
        DelayMs = delayMs;
        EveryNth = everyNth;
    }

    /// <summary>What goes wrong.</summary>
    public FaultKind Kind { get; }

    /// <summary>For <see cref="FaultKind.Late"/>: how long each answer is held, in milliseconds (replacing the configured latency).</summary>
    public int DelayMs { get; }

    /// <summary>For <see cref="FaultKind.Drop"/>: the connection is closed on every Nth request (counted across connections); 1 = every request.</summary>
    public int EveryNth { get; }

    public static FaultMode None { get; } = new(FaultKind.None, 0, 1);
    public static FaultMode Silent { get; } = new(FaultKind.Silent, 0, 1);
    public static FaultMode Garbage { get; } = new(FaultKind.Garbage, 0, 1);
    public static FaultMode Error { get; } = new(FaultKind.Error, 0, 1);

    /// <summary>Answers held <paramref name="delayMs"/> milliseconds (1 to <see cref="MaxDelayMs"/>).</summary>
    public static FaultMode Late(int delayMs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delayMs, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(delayMs, MaxDelayMs);
        return new FaultMode(FaultKind.Late, delayMs, 1);
    }

    /// <summary>The connection closed instead of answering, on every <paramref name="everyNth"/>th request (1 = each one).</summary>
    public static FaultMode Drop(int everyNth = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(everyNth, 1);
        return new FaultMode(FaultKind.Drop, 0, everyNth);
    }

    /// <summary>Parses <c>none</c>, <c>silent</c>, <c>late:MS</c>, <c>drop</c>, <c>drop:N</c>, <c>garbage</c> or <c>error</c> (case-insensitive).</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out FaultMode? mode, [NotNullWhen(false)] out string? error)
    {
        mode = null;
        error = null;
        string value = (text ?? "").Trim().ToLowerInvariant();
        int colon = value.IndexOf(':');
        string name = colon < 0 ? value : value[..colon];
        string? argument = colon < 0 ? null : value[(colon + 1)..];
        switch (name)
        {
            case "none" when argument is null: mode = None; return true;
            case "silent" when argument is null: mode = Silent; return true;
            case "garbage" when argument is null: mode = Garbage; return true;
            case "error" when argument is null: mode = Error; return true;
            case "drop" when argument is null: mode = Drop(); return true;
            case "drop":
                if (int.TryParse(argument, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1)
                {
                    mode = Drop(n);
                    return true;
                }
                error = $"'{text}': drop:N needs a whole number N of at least 1.";
                return false;
            case "late":
                if (argument is not null && int.TryParse(argument, NumberStyles.None, CultureInfo.InvariantCulture, out int ms) && ms is >= 1 and <= MaxDelayMs)
                {
                    mode = Late(ms);
                    return true;
                }
                error = $"'{text}': late:MS needs a delay in milliseconds from 1 to {MaxDelayMs}.";
                return false;
            default:
                error = $"'{text}' is not a fault mode; expected none, silent, late:MS, drop, drop:N, garbage or error.";
                return false;
        }
    }

    /// <summary>Parses a fault mode; throws <see cref="FormatException"/> with the reason when it is not one.</summary>
    public static FaultMode Parse(string text)
        => TryParse(text, out FaultMode? mode, out string? error) ? mode : throw new FormatException(error);

    /// <summary>The text form, as <see cref="Parse"/> reads it.</summary>
    public override string ToString() => Kind switch
    {
        FaultKind.Late => string.Create(CultureInfo.InvariantCulture, $"late:{DelayMs}"),
        FaultKind.Drop => EveryNth == 1 ? "drop" : string.Create(CultureInfo.InvariantCulture, $"drop:{EveryNth}"),
        _ => Kind.ToString().ToLowerInvariant(),
    };
}
