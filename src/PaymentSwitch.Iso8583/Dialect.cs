using PaymentSwitch.Iso8583.Internal;

namespace PaymentSwitch.Iso8583;

/// <summary>
/// One flavour of ISO 8583 on the wire: how the MTI and bitmaps are written and the specification of every data
/// element. Immutable and shared by every connection that speaks it. Load one with <see cref="DialectLoader"/>.
/// </summary>
public sealed class Dialect
{
    private readonly FieldSpec?[] _specs;
    internal readonly FieldLayout[] Layouts;

    public Dialect(string name, MtiEncoding mtiEncoding, BitmapEncoding bitmapEncoding, IEnumerable<FieldSpec> fields)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        MtiEncoding = mtiEncoding;
        BitmapEncoding = bitmapEncoding;
        _specs = new FieldSpec?[129];
        Layouts = new FieldLayout[129];
        foreach (FieldSpec spec in fields)
        {
            if (_specs[spec.Number] is not null)
                throw new ArgumentException($"Dialect '{name}' defines field {spec.Number} twice.", nameof(fields));
            _specs[spec.Number] = spec;
            Layouts[spec.Number] = new FieldLayout(spec);
        }
    }

    public string Name { get; }
    public MtiEncoding MtiEncoding { get; }
    public BitmapEncoding BitmapEncoding { get; }

    /// <summary>Bytes taken by the MTI on the wire.</summary>
    public int MtiLength => MtiEncoding == MtiEncoding.Bcd ? 2 : 4;

    /// <summary>Bytes taken by one bitmap on the wire.</summary>
    public int BitmapLength => BitmapEncoding == BitmapEncoding.Binary ? 8 : 16;

    /// <summary>The specification of field <paramref name="number"/> (2–128), or null when the dialect leaves it undefined.</summary>
    public FieldSpec? this[int number] => (uint)number < 129u ? _specs[number] : null;

    /// <summary>Every field the dialect defines, in field-number order.</summary>
    public IEnumerable<FieldSpec> Fields
    {
        get
        {
            foreach (FieldSpec? spec in _specs)
                if (spec is not null) yield return spec;
        }
    }

    public override string ToString() => Name;
}
