using System.Text.Json;

namespace PaymentSwitch.Iso8583;

/// <summary>
/// Loads <see cref="Dialect"/> definitions from JSON files (see <c>config/dialects/</c>).
/// </summary>
/// <remarks>
/// The format:
/// <code>
/// {
///   "name": "iso87-ascii",
///   "extends": "other-dialect",              // optional: start from that file's fields (same folder)
///   "mti": "ascii" | "bcd" | "ebcdic",
///   "bitmap": "binary" | "hex",
///   "encodings": { "numeric": "ascii", "text": "ascii", "prefix": "ascii" },   // defaults for the fields
///   "fields": [ { "number": 2, "name": "…", "type": "n", "length": "LL", "max": 19,
///                 "encoding": "bcd", "prefix": "binary", "sensitivity": "pan" }, … ]
/// }
/// </code>
/// <c>type</c> is one of n, a, an, ans, b, z, x+n; <c>length</c> is fixed, LL, LLL or LLLL; <c>numeric</c> is the
/// default encoding of n, z and x+n fields, <c>text</c> that of a, an and ans; b fields are always binary.
/// <c>sensitivity</c> is none, pan, secret or emv. A field listed in a dialect replaces the same field of the one
/// it extends. Every error names the file and the field.
/// </remarks>
public static class DialectLoader
{
    /// <summary>Loads the dialect <paramref name="name"/> from <c>{directory}/{name}.json</c>.</summary>
    public static Dialect LoadByName(string directory, string name)
        => LoadFile(Path.Combine(directory, name + ".json"));

    /// <summary>Loads every <c>*.json</c> dialect in <paramref name="directory"/>, keyed by dialect name.</summary>
    public static IReadOnlyDictionary<string, Dialect> LoadDirectory(string directory)
    {
        if (!Directory.Exists(directory))
            throw new DialectException($"Dialect directory '{directory}' does not exist.");
        var result = new Dictionary<string, Dialect>(StringComparer.OrdinalIgnoreCase);
        foreach (string file in Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            Dialect dialect = LoadFile(file);
            result[dialect.Name] = dialect;
        }
        return result;
    }

    /// <summary>Loads one dialect file (following <c>extends</c> within the same folder).</summary>
    public static Dialect LoadFile(string path) => LoadFile(path, depth: 0).ToDialect();

    private static Draft LoadFile(string path, int depth)
    {
        if (depth > 8)
            throw new DialectException($"{path}: 'extends' is nested more than 8 deep (a cycle?).");
        if (!File.Exists(path))
            throw new DialectException($"Dialect file '{path}' does not exist.");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new DialectException($"{path}: not valid JSON: {ex.Message}");
        }
        using (doc)
        {
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new DialectException($"{path}: the top level must be an object.");

            Draft draft;
            if (root.TryGetProperty("extends", out JsonElement ext))
            {
                string baseName = ReadString(path, ext, "extends");
                string basePath = Path.Combine(Path.GetDirectoryName(path) ?? ".", baseName + ".json");
                if (!File.Exists(basePath))
                    throw new DialectException($"{path}: 'extends' names '{baseName}', but {basePath} does not exist.");
                draft = LoadFile(basePath, depth + 1);
            }
            else
            {
                draft = new Draft();
            }

            draft.Path = path;
            draft.Name = root.TryGetProperty("name", out JsonElement n) ? ReadString(path, n, "name") : Path.GetFileNameWithoutExtension(path);
            if (root.TryGetProperty("mti", out JsonElement mti))
                draft.Mti = ParseEnum(path, "mti", ReadString(path, mti, "mti"), MtiNames);
            if (root.TryGetProperty("bitmap", out JsonElement bitmap))
                draft.Bitmap = ParseEnum(path, "bitmap", ReadString(path, bitmap, "bitmap"), BitmapNames);
            if (root.TryGetProperty("encodings", out JsonElement enc))
            {
                if (enc.TryGetProperty("numeric", out JsonElement e1)) draft.Numeric = ParseEnum(path, "encodings.numeric", ReadString(path, e1, "numeric"), EncodingNames);
                if (enc.TryGetProperty("text", out JsonElement e2)) draft.Text = ParseEnum(path, "encodings.text", ReadString(path, e2, "text"), EncodingNames);
                if (enc.TryGetProperty("prefix", out JsonElement e3)) draft.Prefix = ParseEnum(path, "encodings.prefix", ReadString(path, e3, "prefix"), EncodingNames);
            }
            if (root.TryGetProperty("fields", out JsonElement fields))
            {
                if (fields.ValueKind != JsonValueKind.Array)
                    throw new DialectException($"{path}: 'fields' must be an array.");
                foreach (JsonElement f in fields.EnumerateArray())
                {
                    FieldDraft fd = ReadField(path, f);
                    draft.Fields[fd.Number] = fd;
                }
            }
            return draft;
        }
    }

    private static FieldDraft ReadField(string path, JsonElement f)
    {
        if (f.ValueKind != JsonValueKind.Object || !f.TryGetProperty("number", out JsonElement num) || !num.TryGetInt32(out int number))
            throw new DialectException($"{path}: every field needs a numeric 'number'.");
        string where = $"{path}: field {number}";
        if (number is < 2 or > 128)
            throw new DialectException($"{where}: field numbers run from 2 to 128 (field 1 is the secondary bitmap).");
        if (!f.TryGetProperty("type", out JsonElement type) || !f.TryGetProperty("max", out JsonElement max) || !max.TryGetInt32(out int maxLength))
            throw new DialectException($"{where}: 'type' and a numeric 'max' are required.");
        var fd = new FieldDraft
        {
            Number = number,
            Name = f.TryGetProperty("name", out JsonElement name) ? ReadString(where, name, "name") : $"Field {number}",
            Content = ParseEnum(where, "type", ReadString(where, type, "type"), TypeNames),
            Length = f.TryGetProperty("length", out JsonElement len) ? ParseEnum(where, "length", ReadString(where, len, "length"), LengthNames) : LengthKind.Fixed,
            Max = maxLength,
            Encoding = f.TryGetProperty("encoding", out JsonElement e) ? ParseEnum(where, "encoding", ReadString(where, e, "encoding"), EncodingNames) : null,
            Prefix = f.TryGetProperty("prefix", out JsonElement p) ? ParseEnum(where, "prefix", ReadString(where, p, "prefix"), EncodingNames) : null,
            Sensitivity = f.TryGetProperty("sensitivity", out JsonElement s) ? ParseEnum(where, "sensitivity", ReadString(where, s, "sensitivity"), SensitivityNames) : FieldSensitivity.None,
        };
        return fd;
    }

    private static string ReadString(string where, JsonElement e, string property)
        => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new DialectException($"{where}: '{property}' must be a string.");

    private static T ParseEnum<T>(string where, string property, string value, (string Name, T Value)[] names)
    {
        foreach ((string n, T v) in names)
            if (string.Equals(n, value, StringComparison.OrdinalIgnoreCase)) return v;
        throw new DialectException($"{where}: '{property}' is '{value}'; expected one of {string.Join(", ", names.Select(x => x.Name))}.");
    }

    private static readonly (string, MtiEncoding)[] MtiNames = [("ascii", MtiEncoding.Ascii), ("bcd", MtiEncoding.Bcd), ("ebcdic", MtiEncoding.Ebcdic)];
    private static readonly (string, BitmapEncoding)[] BitmapNames = [("binary", BitmapEncoding.Binary), ("hex", BitmapEncoding.Hex)];
    private static readonly (string, FieldEncoding)[] EncodingNames = [("ascii", FieldEncoding.Ascii), ("bcd", FieldEncoding.Bcd), ("binary", FieldEncoding.Binary), ("ebcdic", FieldEncoding.Ebcdic)];
    private static readonly (string, LengthKind)[] LengthNames = [("fixed", LengthKind.Fixed), ("LL", LengthKind.LL), ("LLL", LengthKind.LLL), ("LLLL", LengthKind.LLLL)];
    private static readonly (string, FieldSensitivity)[] SensitivityNames = [("none", FieldSensitivity.None), ("pan", FieldSensitivity.Pan), ("secret", FieldSensitivity.Secret), ("emv", FieldSensitivity.Emv)];
    private static readonly (string, ContentType)[] TypeNames =
    [
        ("n", ContentType.Numeric), ("a", ContentType.Alpha), ("an", ContentType.AlphaNumeric), ("ans", ContentType.AlphaNumericSpecial),
        ("b", ContentType.Binary), ("z", ContentType.Track), ("x+n", ContentType.SignedAmount),
    ];

    private sealed class FieldDraft
    {
        public int Number;
        public string Name = "";
        public ContentType Content;
        public LengthKind Length;
        public int Max;
        public FieldEncoding? Encoding;
        public FieldEncoding? Prefix;
        public FieldSensitivity Sensitivity;
    }

    private sealed class Draft
    {
        public string Path = "";
        public string Name = "";
        public MtiEncoding Mti = MtiEncoding.Ascii;
        public BitmapEncoding Bitmap = BitmapEncoding.Binary;
        public FieldEncoding Numeric = FieldEncoding.Ascii;
        public FieldEncoding Text = FieldEncoding.Ascii;
        public FieldEncoding Prefix = FieldEncoding.Ascii;
        public readonly FieldDraft?[] Fields = new FieldDraft?[129];

        public Dialect ToDialect()
        {
            var specs = new List<FieldSpec>(128);
            foreach (FieldDraft? f in Fields)
            {
                if (f is null) continue;
                FieldEncoding encoding = f.Encoding ?? f.Content switch
                {
                    ContentType.Binary => FieldEncoding.Binary,
                    ContentType.Numeric or ContentType.Track or ContentType.SignedAmount => Numeric,
                    _ => Text,
                };
                try
                {
                    specs.Add(new FieldSpec(f.Number, f.Name, f.Content, f.Length, f.Max, encoding, f.Prefix ?? Prefix, f.Sensitivity));
                }
                catch (ArgumentException ex)
                {
                    throw new DialectException($"{Path}: field {f.Number}: {ex.Message}");
                }
            }
            return new Dialect(Name, Mti, Bitmap, specs);
        }
    }
}
