using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Simulators.Tests.Support;

/// <summary>The shipped dialects, loaded from the 'dialects' folder the Simulators project copies next to its output.</summary>
internal static class TestDialects
{
    public static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "dialects");
    public static readonly Dialect Ascii = DialectLoader.LoadByName(Directory, "iso87-ascii");
    public static readonly Dialect Bcd = DialectLoader.LoadByName(Directory, "iso87-bcd");
}
