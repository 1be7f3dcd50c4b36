using System.Text;
using System.Text.Json;
using PaymentSwitch.Core.Routing.Internal;

namespace PaymentSwitch.Core.Routing;

/// <summary>
/// Reads and writes <c>routes.json</c>: a JSON array whose entries are either
/// <c>{ "Prefix": "476173", "Issuer": "card-sim" }</c> or
/// <c>{ "Low": "510000", "High": "559999", "Issuer": "card-sim" }</c>.
/// </summary>
/// <remarks>
/// Property names are matched ignoring case; digits must be JSON strings (a number would lose leading zeros);
/// comments and trailing commas are accepted; unknown properties are errors (they are usually typos). Every
/// error names the entry by its 0-based index in the array, e.g. <c>routes[3]: High is missing.</c>
/// </remarks>
public static class BinRoutesJson
{
    private const int MaxPropertyNameChars = 64;

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Parses a routes document (UTF-8, with or without a byte-order mark). Never throws for bad input.</summary>
    public static BinRoutesParseResult Parse(ReadOnlySpan<byte> utf8Json)
    {
        if (utf8Json.StartsWith("\uFEFF"u8))
        {
            utf8Json = utf8Json[3..];
        }

        var errors = new RouteErrorList();
        var routes = new List<BinRoute>();
        var issuerIds = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            var reader = new Utf8JsonReader(utf8Json, ReaderOptions);
            if (!reader.Read())
            {
                errors.Add(-1, "The routes file is empty; it should hold a JSON array of routes.");
                return new BinRoutesParseResult([], errors.ToList(), isIncomplete: true);
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                errors.Add(-1,
                    $"The routes file must hold a JSON array of routes, like [ {{ \"Prefix\": \"476173\", \"Issuer\": \"card-sim\" }} ], " +
                    $"but it starts with {Describe(reader.TokenType)}.");
                return new BinRoutesParseResult([], errors.ToList(), isIncomplete: false);
            }

            int index = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    BinRoute? route = ReadEntry(ref reader, index, errors, issuerIds);
                    if (route is not null)
                    {
                        routes.Add(route);
                    }
                }
                else
                {
                    errors.Add(index,
                        $"is {Describe(reader.TokenType)}; each route is an object like {{ \"Prefix\": \"476173\", \"Issuer\": \"card-sim\" }}.");
                    reader.Skip();
                }

                index++;
            }

            // Anything after the array is a syntax error; reading once more makes the reader check.
            reader.Read();
        }
        catch (JsonException exception)
        {
            errors = new RouteErrorList();
            errors.Add(-1, DescribeSyntaxError(exception));
            return new BinRoutesParseResult([], errors.ToList(), isIncomplete: true);
        }

        return errors.Count > 0
            ? new BinRoutesParseResult([], errors.ToList(), isIncomplete: false)
            : new BinRoutesParseResult(routes.ToArray(), [], isIncomplete: false);
    }

    /// <summary>Writes <paramref name="routes"/> in the <c>routes.json</c> form (parsing the output gives the same routes).</summary>
    public static void WriteRoutes(Utf8JsonWriter writer, IReadOnlyList<BinRoute> routes)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(routes);
        writer.WriteStartArray();
        foreach (BinRoute route in routes)
        {
            writer.WriteStartObject();
            if (route.Kind == BinRouteKind.Prefix)
            {
                writer.WriteString("Prefix"u8, route.Low);
            }
            else
            {
                writer.WriteString("Low"u8, route.Low);
                writer.WriteString("High"u8, route.High);
            }

            writer.WriteString("Issuer"u8, route.IssuerId);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static BinRoute? ReadEntry(
        ref Utf8JsonReader reader, int index, RouteErrorList errors, Dictionary<string, string> issuerIds)
    {
        string? prefix = null;
        string? low = null;
        string? high = null;
        string? issuer = null;
        Span<bool> seen = stackalloc bool[5]; // by Field, including values of the wrong type
        bool valid = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            Field field = Identify(ref reader);
            string? unknownName = field == Field.Unknown ? PropertyName(ref reader) : null;
            reader.Read();
            if (field == Field.Unknown)
            {
                errors.Add(index,
                    $"has the unknown property {RouteText.Quote(unknownName)}; a route has Prefix, or Low and High, and Issuer.");
                reader.Skip();
                valid = false;
                continue;
            }

            string name = NameOf(field);
            if (seen[(int)field])
            {
                errors.Add(index, $"{name} is given twice.");
                reader.Skip();
                valid = false;
                continue;
            }

            seen[(int)field] = true;
            if (reader.TokenType != JsonTokenType.String)
            {
                errors.Add(index,
                    $"{name} must be a JSON string such as \"476173\" (a number would lose leading zeros), not {Describe(reader.TokenType)}.");
                reader.Skip();
                valid = false;
                continue;
            }

            switch (field)
            {
                case Field.Prefix:
                    prefix = reader.GetString();
                    break;
                case Field.Low:
                    low = reader.GetString();
                    break;
                case Field.High:
                    high = reader.GetString();
                    break;
                default:
                    issuer = ReadIssuer(ref reader, issuerIds);
                    break;
            }
        }

        bool hasPrefix = seen[(int)Field.Prefix];
        bool hasLow = seen[(int)Field.Low];
        bool hasHigh = seen[(int)Field.High];
        if (hasPrefix && (hasLow || hasHigh))
        {
            errors.Add(index, "has both Prefix and Low/High; give either a Prefix, or a Low and a High.");
            return null;
        }

        if (!hasPrefix && !hasLow && !hasHigh)
        {
            errors.Add(index, "has neither Prefix nor Low and High; give either a Prefix, or a Low and a High.");
            return null;
        }

        if (!hasPrefix && (!hasLow || !hasHigh))
        {
            errors.Add(index, hasLow ? "has Low but no High." : "has High but no Low.");
            valid = false;
        }

        if (!valid)
        {
            if (!seen[(int)Field.Issuer])
            {
                errors.Add(index, "Issuer is missing; name the issuer that receives these card numbers.");
            }

            return null;
        }

        BinRouteKind kind = hasPrefix ? BinRouteKind.Prefix : BinRouteKind.Range;
        if (!RouteValidator.TryValidate(kind, prefix ?? low, prefix ?? high, issuer, index, errors, out _, out _, out _))
        {
            return null;
        }

        return kind == BinRouteKind.Prefix
            ? BinRoute.ForPrefix(prefix!, issuer!)
            : BinRoute.ForRange(low!, high!, issuer!);
    }

    /// <summary>Reads an issuer id, reusing one string per distinct id (a million routes name a handful of issuers).</summary>
    private static string ReadIssuer(ref Utf8JsonReader reader, Dictionary<string, string> issuerIds)
    {
        if (reader.HasValueSequence || reader.ValueSpan.Length > BinRoutingTable.MaxIssuerIdChars)
        {
            return reader.GetString()!;
        }

        Span<char> chars = stackalloc char[BinRoutingTable.MaxIssuerIdChars];
        int length = reader.CopyString(chars);
        Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> lookup = issuerIds.GetAlternateLookup<ReadOnlySpan<char>>();
        if (!lookup.TryGetValue(chars[..length], out string? id))
        {
            id = new string(chars[..length]);
            issuerIds.Add(id, id);
        }

        return id;
    }

    private enum Field
    {
        Unknown,
        Prefix,
        Low,
        High,
        Issuer,
    }

    private static Field Identify(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence)
        {
            return PropertyName(ref reader) switch
            {
                { } name when name.Equals("Prefix", StringComparison.OrdinalIgnoreCase) => Field.Prefix,
                { } name when name.Equals("Low", StringComparison.OrdinalIgnoreCase) => Field.Low,
                { } name when name.Equals("High", StringComparison.OrdinalIgnoreCase) => Field.High,
                { } name when name.Equals("Issuer", StringComparison.OrdinalIgnoreCase) => Field.Issuer,
                _ => Field.Unknown,
            };
        }

        ReadOnlySpan<byte> raw = reader.ValueSpan;
        return Ascii.EqualsIgnoreCase(raw, "Prefix"u8) ? Field.Prefix
            : Ascii.EqualsIgnoreCase(raw, "Low"u8) ? Field.Low
            : Ascii.EqualsIgnoreCase(raw, "High"u8) ? Field.High
            : Ascii.EqualsIgnoreCase(raw, "Issuer"u8) ? Field.Issuer
            : Field.Unknown;
    }

    private static string? PropertyName(ref Utf8JsonReader reader)
    {
        string name = reader.GetString() ?? string.Empty;
        return name.Length > MaxPropertyNameChars ? name[..MaxPropertyNameChars] : name;
    }

    private static string NameOf(Field field) => field switch
    {
        Field.Prefix => "Prefix",
        Field.Low => "Low",
        Field.High => "High",
        _ => "Issuer",
    };

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private static string DescribeSyntaxError(JsonException exception)
    {
        string detail = exception.Message;
        int position = detail.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (position > 0)
        {
            detail = detail[..position];
        }

        string where = exception.LineNumber is { } line
            ? $" at line {line + 1}, byte {exception.BytePositionInLine + 1}"
            : string.Empty;
        return $"The routes file is not complete, valid JSON{where}: {detail} (a file still being written looks like this; " +
               "the previous routes stay in force).";
    }
}
