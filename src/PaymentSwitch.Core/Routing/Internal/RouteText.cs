using System.Globalization;

namespace PaymentSwitch.Core.Routing.Internal;

/// <summary>
/// Renders configuration values inside error messages without ever echoing something that could be a card
/// number: values longer than the longest legal route are shown by length only.
/// </summary>
internal static class RouteText
{
    /// <summary>Longest value echoed verbatim (the longest legal route).</summary>
    public const int MaxEchoedChars = BinRoutingTable.MaxRouteDigits;

    public static string Quote(string? value)
    {
        if (value is null)
        {
            return "(null)";
        }

        if (value.Length > MaxEchoedChars)
        {
            return $"({value.Length} characters, not shown)";
        }

        foreach (char c in value)
        {
            if (char.IsControl(c))
            {
                return $"({value.Length} characters including control characters, not shown)";
            }
        }

        return "\"" + value + "\"";
    }

    /// <summary>A well-formed route end as is (<c>476173</c>); anything else quoted or hidden as by <see cref="Quote"/>.</summary>
    public static string Show(string? value) =>
        value is { Length: > 0 and <= MaxEchoedChars } && value.All(char.IsAsciiDigit) ? value : Quote(value);

    public static string Character(char c) => c is >= ' ' and <= '~'
        ? "'" + c + "'"
        : "U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture);

    public static string Digits(long value, int length) =>
        value.ToString(CultureInfo.InvariantCulture).PadLeft(length, '0');
}
