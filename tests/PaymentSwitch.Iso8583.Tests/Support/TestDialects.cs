using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Iso8583.Tests.Support;

/// <summary>The shipped dialects, loaded once from config/dialects in the repository.</summary>
internal static class TestDialects
{
    public static readonly string DialectDirectory = Path.Combine(FindRepositoryRoot(), "config", "dialects");
    public static readonly Dialect Ascii = DialectLoader.LoadByName(DialectDirectory, "iso87-ascii");
    public static readonly Dialect Bcd = DialectLoader.LoadByName(DialectDirectory, "iso87-bcd");

    /// <summary>The iso87 fields re-encoded: EBCDIC text and prefixes, hex bitmaps (to exercise those encodings).</summary>
    public static readonly Dialect Ebcdic = new("iso87-ebcdic-test", MtiEncoding.Ebcdic, BitmapEncoding.Hex,
        Ascii.Fields.Select(f => new FieldSpec(f.Number, f.Name, f.Content, f.LengthKind, f.MaxLength,
            f.Content == ContentType.Binary ? FieldEncoding.Binary : FieldEncoding.Ebcdic, FieldEncoding.Ebcdic, f.Sensitivity)));

    /// <summary>The iso87 fields with binary length prefixes and an LLLL field (48), to exercise those.</summary>
    public static readonly Dialect BinaryPrefix = new("iso87-binprefix-test", MtiEncoding.Ascii, BitmapEncoding.Binary,
        Ascii.Fields.Select(f => f.Number == 48
            ? new FieldSpec(48, f.Name, ContentType.AlphaNumericSpecial, LengthKind.LLLL, 1500, FieldEncoding.Ascii, FieldEncoding.Binary)
            : new FieldSpec(f.Number, f.Name, f.Content, f.LengthKind, f.MaxLength, f.Encoding, FieldEncoding.Binary, f.Sensitivity)));

    public static readonly Dialect[] All = [Ascii, Bcd, Ebcdic, BinaryPrefix];

    public static Dialect ByName(string name) => All.Single(d => d.Name == name);

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PaymentSwitch.sln"))) return dir.FullName;
        throw new InvalidOperationException("PaymentSwitch.sln not found above " + AppContext.BaseDirectory);
    }
}
