namespace PaymentSwitch.Core.Routing.Internal;

/// <summary>
/// Checks one route on its own (digits, lengths, order of the ends, issuer id) and converts its ends to numbers.
/// Every problem found is added to the error list under the route's entry index; nothing throws.
/// </summary>
internal static class RouteValidator
{
    public static bool TryValidate(
        BinRouteKind kind, string? low, string? high, string? issuerId, int entryIndex, RouteErrorList errors,
        out long lowValue, out long highValue, out int length)
    {
        bool valid = ValidateIssuer(issuerId, entryIndex, errors);
        length = 0;
        highValue = 0;
        if (kind == BinRouteKind.Prefix)
        {
            valid &= TryParseDigits(low, "Prefix", entryIndex, errors, out lowValue);
            highValue = lowValue;
            length = low?.Length ?? 0;
            return valid;
        }

        bool lowValid = TryParseDigits(low, "Low", entryIndex, errors, out lowValue);
        bool highValid = TryParseDigits(high, "High", entryIndex, errors, out highValue);
        if (!lowValid || !highValid)
        {
            return false;
        }

        if (low!.Length != high!.Length)
        {
            errors.Add(entryIndex,
                $"Low {RouteText.Quote(low)} has {low.Length} digits but High {RouteText.Quote(high)} has {high.Length}; " +
                "both ends of a range must have the same number of digits (write 510000-559999, not 51-559999).");
            return false;
        }

        if (lowValue > highValue)
        {
            errors.Add(entryIndex,
                $"Low {RouteText.Quote(low)} is greater than High {RouteText.Quote(high)}; swap them.");
            return false;
        }

        length = low.Length;
        return valid;
    }

    private static bool TryParseDigits(string? text, string field, int entryIndex, RouteErrorList errors, out long value)
    {
        value = 0;
        if (text is null)
        {
            errors.Add(entryIndex, $"{field} is missing.");
            return false;
        }

        if (text.Length == 0)
        {
            errors.Add(entryIndex, $"{field} is empty; a route has 1 to {BinRoutingTable.MaxRouteDigits} digits.");
            return false;
        }

        if (text.Length > BinRoutingTable.MaxRouteDigits)
        {
            errors.Add(entryIndex,
                $"{field} has {text.Length} characters; a route has 1 to {BinRoutingTable.MaxRouteDigits} digits " +
                "(the value is not shown, in case it is a card number).");
            return false;
        }

        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c is < '0' or > '9')
            {
                errors.Add(entryIndex,
                    $"{field} {RouteText.Quote(text)} has {RouteText.Character(c)} at position {i + 1}; only the digits 0-9 are allowed.");
                value = 0;
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }

    private static bool ValidateIssuer(string? issuerId, int entryIndex, RouteErrorList errors)
    {
        if (issuerId is null)
        {
            errors.Add(entryIndex, "Issuer is missing; name the issuer that receives these card numbers.");
            return false;
        }

        if (string.IsNullOrWhiteSpace(issuerId))
        {
            errors.Add(entryIndex, "Issuer is empty; name the issuer that receives these card numbers.");
            return false;
        }

        if (issuerId.Length > BinRoutingTable.MaxIssuerIdChars)
        {
            errors.Add(entryIndex,
                $"Issuer has {issuerId.Length} characters; at most {BinRoutingTable.MaxIssuerIdChars} are allowed.");
            return false;
        }

        foreach (char c in issuerId)
        {
            if (char.IsControl(c))
            {
                errors.Add(entryIndex, $"Issuer contains the control character {RouteText.Character(c)}.");
                return false;
            }
        }

        if (char.IsWhiteSpace(issuerId[0]) || char.IsWhiteSpace(issuerId[^1]))
        {
            errors.Add(entryIndex, $"Issuer \"{issuerId}\" starts or ends with white space; remove it.");
            return false;
        }

        return true;
    }
}
