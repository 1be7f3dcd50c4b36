using PaymentSwitch.Iso8583.Tests.Support;

namespace PaymentSwitch.Iso8583.Tests;

public class DialectLoaderTests
{
    [Fact]
    public void Shipped_dialects_define_all_127_data_fields_of_iso_8583_1987()
    {
        IReadOnlyDictionary<string, Dialect> all = DialectLoader.LoadDirectory(TestDialects.DialectDirectory);
        Assert.Contains("iso87-ascii", all.Keys);
        Assert.Contains("iso87-bcd", all.Keys);
        foreach (Dialect d in all.Values)
            Assert.Equal(Enumerable.Range(2, 127), d.Fields.Select(f => f.Number));

        Dialect ascii = all["iso87-ascii"], bcd = all["iso87-bcd"];
        Assert.Equal((MtiEncoding.Ascii, BitmapEncoding.Binary), (ascii.MtiEncoding, ascii.BitmapEncoding));
        Assert.Equal((MtiEncoding.Bcd, BitmapEncoding.Binary), (bcd.MtiEncoding, bcd.BitmapEncoding));
        Assert.Equal((ContentType.Numeric, LengthKind.LL, 19, FieldEncoding.Ascii, FieldSensitivity.Pan),
            (ascii[2]!.Content, ascii[2]!.LengthKind, ascii[2]!.MaxLength, ascii[2]!.Encoding, ascii[2]!.Sensitivity));
        Assert.Equal((FieldEncoding.Bcd, FieldEncoding.Bcd), (bcd[2]!.Encoding, bcd[2]!.PrefixEncoding));
        Assert.Equal((ContentType.Binary, LengthKind.LLL, FieldEncoding.Binary, FieldEncoding.Ascii), (ascii[55]!.Content, ascii[55]!.LengthKind, ascii[55]!.Encoding, ascii[55]!.PrefixEncoding));
        Assert.Equal(FieldEncoding.Ascii, bcd[41]!.Encoding);          // text stays ASCII in the BCD dialect
        Assert.Equal(FieldSensitivity.Secret, ascii[35]!.Sensitivity);
        Assert.Equal(FieldSensitivity.Secret, ascii[52]!.Sensitivity);
        Assert.Equal((ContentType.SignedAmount, 8), (ascii[28]!.Content, ascii[28]!.MaxLength));
        Assert.Equal((ContentType.Binary, 8), (ascii[128]!.Content, ascii[128]!.MaxLength));
    }

    [Theory]
    [InlineData("""{ "name": "x", "fields": [ { "number": 1, "type": "n", "max": 2 } ] }""", "field 1")]
    [InlineData("""{ "name": "x", "fields": [ { "number": 3, "type": "q", "max": 2 } ] }""", "'type' is 'q'")]
    [InlineData("""{ "name": "x", "fields": [ { "number": 3, "type": "n", "length": "LL", "max": 200 } ] }""", "field 3")]
    [InlineData("""{ "name": "x", "fields": [ { "number": 3, "type": "ans", "max": 2, "encoding": "bcd" } ] }""", "BCD")]
    [InlineData("""{ "name": "x", "mti": "utf8" }""", "'mti' is 'utf8'")]
    [InlineData("""{ "name": "x", "fields": [ { "number": 3 } ] }""", "'type' and a numeric 'max' are required")]
    [InlineData("""{ "name": "x", "extends": "nope" }""", "nope.json")]
    [InlineData("""{ "name": """, "not valid JSON")]
    public void Bad_definitions_are_refused_naming_file_and_field(string json, string expected)
    {
        string dir = Directory.CreateTempSubdirectory("dialect").FullName;
        try
        {
            string path = Path.Combine(dir, "bad.json");
            File.WriteAllText(path, json);
            var ex = Assert.Throws<DialectException>(() => DialectLoader.LoadFile(path));
            Assert.Contains(expected, ex.Message);
            Assert.Contains("bad.json", ex.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Extending_dialect_overrides_single_fields()
    {
        string dir = Directory.CreateTempSubdirectory("dialect").FullName;
        try
        {
            File.Copy(Path.Combine(TestDialects.DialectDirectory, "iso87-ascii.json"), Path.Combine(dir, "iso87-ascii.json"));
            File.WriteAllText(Path.Combine(dir, "acme.json"),
                """{ "name": "acme", "extends": "iso87-ascii", "fields": [ { "number": 48, "type": "ans", "length": "LLLL", "max": 4000 } ] }""");
            Dialect acme = DialectLoader.LoadByName(dir, "acme");
            Assert.Equal((LengthKind.LLLL, 4000), (acme[48]!.LengthKind, acme[48]!.MaxLength));
            Assert.Equal(127, acme.Fields.Count());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
