using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using PaymentSwitch.Iso8583.Internal;

namespace PaymentSwitch.Iso8583;

/// <summary>
/// Builds an ISO 8583 message and writes it straight into an <see cref="IBufferWriter{T}"/> (a connection's
/// <c>PipeWriter</c>). Fields may be set in any order; content is held as ASCII (raw bytes for b fields) in an
/// internal arena and encoded for the dialect when written, so a field can be copied from a message of another
/// dialect. Reuse one builder per connection: after warm-up, building allocates nothing.
/// </summary>
/// <remarks>
/// Fixed-length fields shorter than their length are padded: n with leading zeros, other text types with trailing
/// spaces. Content the field's type does not allow, or longer than its maximum, is refused: the <c>Try…</c> setters
/// return false, the plain setters throw <see cref="ArgumentException"/> (a programming error).
/// </remarks>
public sealed class IsoMessageBuilder
{
    /// <summary>Upper bound of the content arena; a message needing more is refused.</summary>
    public const int MaxArenaBytes = 1 << 20;

    private byte[] _arena;
    private int _used;
    private BuilderSlots _slots;
    private ulong _primary;
    private ulong _secondary;
    private Dialect _dialect;
    private int _fieldsWireLength;

    public IsoMessageBuilder(Dialect dialect, int initialArenaBytes = 2048)
    {
        _dialect = dialect;
        _arena = new byte[initialArenaBytes];
    }

    public Dialect Dialect => _dialect;

    /// <summary>The message type indicator as a number (0110 is 110).</summary>
    public int Mti { get; set; }

    /// <summary>Clears every field and starts a new message.</summary>
    public IsoMessageBuilder Reset(int mti) => Reset(_dialect, mti);

    /// <summary>Clears every field and starts a new message in <paramref name="dialect"/>.</summary>
    public IsoMessageBuilder Reset(Dialect dialect, int mti)
    {
        _dialect = dialect;
        Mti = mti;
        _used = 0;
        _primary = 0;
        _secondary = 0;
        _fieldsWireLength = 0;
        return this;
    }

    private const ulong Bit1 = 1UL << 63;

    /// <summary>True when field <paramref name="field"/> (2–128) is set.</summary>
    public bool Has(int field)
    {
        if ((uint)(field - 2) < 63u) return (_primary & (Bit1 >> (field - 1))) != 0;
        if ((uint)(field - 65) < 64u) return (_secondary & (Bit1 >> (field - 65))) != 0;
        return false;
    }

    /// <summary>The content of a set field (ASCII, or raw bytes for b fields), padded as it will be written.</summary>
    public ReadOnlySpan<byte> Get(int field)
    {
        if (!Has(field)) return default;
        ref readonly BuilderSlot slot = ref _slots[field];
        return _arena.AsSpan(slot.Offset, slot.Length);
    }

    /// <summary>Removes a field.</summary>
    public IsoMessageBuilder Remove(int field)
    {
        if (!Has(field)) return this;
        _fieldsWireLength -= _slots[field].WireLength;
        if (field <= 64) _primary &= ~(Bit1 >> (field - 1));
        else _secondary &= ~(Bit1 >> (field - 65));
        return this;
    }

    /// <summary>Sets a field from ASCII characters (or raw bytes for b fields). False when the content does not fit the field.</summary>
    public bool TrySetAscii(int field, ReadOnlySpan<byte> value) => TrySet(field, value, validated: false);

    private bool TrySet(int field, ReadOnlySpan<byte> value, bool validated)
    {
        if ((uint)(field - 2) > 126u) return false;
        ref readonly FieldLayout layout = ref _dialect.Layouts[field];
        if (!layout.Defined) return false;
        int length = layout.LengthKind == LengthKind.Fixed ? layout.MaxLogical : value.Length;
        if (value.Length > layout.MaxLogical) return false;
        // Only n (leading zeros) and a/an/ans (trailing spaces) fixed fields are padded; b, z and x+n must fit exactly.
        if (value.Length != length && layout.Content is ContentType.Binary or ContentType.Track or ContentType.SignedAmount) return false;
        if (!validated && ContentValidator.FindInvalid(layout.Content, value) >= 0) return false;

        Span<byte> target = Allocate(field, length, in layout);
        if (value.Length == length)
        {
            value.CopyTo(target);
        }
        else if (layout.Content == ContentType.Numeric)
        {
            int pad = length - value.Length;
            target[..pad].Fill((byte)'0');
            value.CopyTo(target[pad..]);
        }
        else
        {
            value.CopyTo(target);
            target[value.Length..].Fill((byte)' ');
        }
        return true;
    }

    /// <summary>Sets a field from ASCII characters (or raw bytes for b fields).</summary>
    public IsoMessageBuilder SetAscii(int field, ReadOnlySpan<byte> value)
    {
        if (!TrySetAscii(field, value)) ThrowInvalid(field, value.Length);
        return this;
    }

    /// <summary>Sets a field from characters, which must all be ASCII.</summary>
    public IsoMessageBuilder SetString(int field, ReadOnlySpan<char> value)
    {
        Span<byte> ascii = value.Length <= 512 ? stackalloc byte[value.Length] : new byte[value.Length];
        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] > 0x7E) ThrowInvalid(field, value.Length);
            ascii[i] = (byte)value[i];
        }
        return SetAscii(field, ascii);
    }

    /// <summary>Sets a numeric field from a non-negative number (zero-padded to a fixed field's length).</summary>
    public IsoMessageBuilder SetNumber(int field, long value)
    {
        if (value < 0 || (uint)(field - 2) > 126u) ThrowInvalid(field, 0);
        ref readonly FieldLayout layout = ref _dialect.Layouts[field];
        if (!layout.Defined || layout.Content != ContentType.Numeric) return SetNumberSlow(field, value);
        int digits = CountDigits(value);
        int length = layout.LengthKind == LengthKind.Fixed ? layout.MaxLogical : digits;
        if (digits > length || digits > layout.MaxLogical) ThrowInvalid(field, digits);
        // Digits written right to left straight into the arena, zero-padded: no validation needed.
        Span<byte> target = Allocate(field, length, in layout);
        for (int i = length - 1; i >= 0; i--, value /= 10) target[i] = (byte)('0' + (value % 10));
        return this;
    }

    private IsoMessageBuilder SetNumberSlow(int field, long value)
    {
        Span<byte> digits = stackalloc byte[20];
        value.TryFormat(digits, out int written, provider: System.Globalization.CultureInfo.InvariantCulture);
        return SetAscii(field, digits[..written]);
    }

    private static int CountDigits(long value)
    {
        int digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }
        return digits;
    }

    /// <summary>Sets a b field from raw bytes.</summary>
    public IsoMessageBuilder SetBinary(int field, ReadOnlySpan<byte> value) => SetAscii(field, value);

    /// <summary>Copies field <paramref name="field"/> from <paramref name="source"/> when present there (decoding its dialect). False when absent or not valid here.</summary>
    public bool TryCopy(IsoMessage source, int field)
    {
        if (!source.Has(field)) return false;
        Span<byte> scratch = stackalloc byte[256];
        int length = source.GetLength(field);
        if (length > scratch.Length) scratch = new byte[length];
        if (!source.TryGetAscii(field, scratch, out ReadOnlySpan<byte> value)) return false;
        // The parser validated the content for the same content type: no need to look at it again.
        FieldSpec? from = source.Dialect[field];
        bool validated = from is not null && from.Content == _dialect.Layouts[field].Content;
        return TrySet(field, value, validated);
    }

    /// <summary>Copies each of <paramref name="fields"/> that <paramref name="source"/> has.</summary>
    public IsoMessageBuilder CopyFrom(IsoMessage source, ReadOnlySpan<byte> fields)
    {
        foreach (byte field in fields) TryCopy(source, field);
        return this;
    }

    private Span<byte> Allocate(int field, int length, in FieldLayout layout)
    {
        if (_arena.Length - _used < length) Grow(length);
        ref BuilderSlot slot = ref _slots[field];
        if (Has(field)) _fieldsWireLength -= slot.WireLength;
        slot.Offset = _used;
        slot.Length = length;
        slot.WireLength = layout.PrefixBytes + layout.EncodedLength(length);
        _fieldsWireLength += slot.WireLength;
        _used += length;
        if (field <= 64) _primary |= Bit1 >> (field - 1);
        else _secondary |= Bit1 >> (field - 65);
        return _arena.AsSpan(slot.Offset, length);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int needed)
    {
        int size = Math.Max(_arena.Length * 2, _used + needed);
        if (size > MaxArenaBytes) throw new InvalidOperationException($"The message would exceed {MaxArenaBytes} bytes of content.");
        Array.Resize(ref _arena, size);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    [DoesNotReturn]
    private void ThrowInvalid(int field, int length)
    {
        FieldSpec? spec = _dialect[field];
        throw new ArgumentException(spec is null
            ? $"Field {field} is not defined by dialect '{_dialect.Name}'."
            : $"Content of length {length} is not valid for {spec}.");
    }

    /// <summary>Bytes the message takes on the wire (MTI, bitmaps and fields; no frame header).</summary>
    public int MessageLength => _dialect.MtiLength + (_dialect.BitmapLength * (_secondary != 0 ? 2 : 1)) + _fieldsWireLength;

    /// <summary>Writes the message (no frame header) into <paramref name="destination"/>; returns bytes written, or -1 when it does not fit.</summary>
    public int WriteMessage(Span<byte> destination)
    {
        int total = MessageLength;
        if (destination.Length < total) return -1;
        WriteMessageCore(destination[..total]);
        return total;
    }

    /// <summary>
    /// Writes the message framed by <paramref name="framing"/> (length header, optional TPDU) into
    /// <paramref name="writer"/> with one <c>GetSpan</c>/<c>Advance</c>. Returns bytes written.
    /// </summary>
    public int WriteFrame(IBufferWriter<byte> writer, Framing framing, Tpdu tpdu = default)
    {
        int messageLength = MessageLength;
        int frameLength = framing.HeaderLength + messageLength;
        Span<byte> span = writer.GetSpan(frameLength);
        framing.WriteHeader(span, messageLength, tpdu);
        WriteMessageCore(span.Slice(framing.HeaderLength, messageLength));
        writer.Advance(frameLength);
        return frameLength;
    }

    private void WriteMessageCore(Span<byte> destination)
    {
        Dialect dialect = _dialect;
        int pos = WriteMti(destination, dialect);
        ulong primary = _secondary != 0 ? _primary | Bit1 : _primary & ~Bit1;
        pos += WriteBitmap(destination[pos..], primary, dialect.BitmapEncoding);
        if (_secondary != 0) pos += WriteBitmap(destination[pos..], _secondary, dialect.BitmapEncoding);

        FieldLayout[] layouts = dialect.Layouts;
        for (ulong bits = _primary & ~Bit1; bits != 0;)
        {
            int field = System.Numerics.BitOperations.LeadingZeroCount(bits) + 1;
            bits &= ~(Bit1 >> (field - 1));
            pos += WriteField(destination[pos..], field, in layouts[field]);
        }
        for (ulong bits = _secondary; bits != 0;)
        {
            int index = System.Numerics.BitOperations.LeadingZeroCount(bits);
            bits &= ~(Bit1 >> index);
            pos += WriteField(destination[pos..], 65 + index, in layouts[65 + index]);
        }
        Debug.Assert(pos == destination.Length, "MessageLength and the written bytes disagree.");
    }

    private int WriteMti(Span<byte> destination, Dialect dialect)
    {
        int mti = Mti;
        Debug.Assert(mti is >= 0 and <= 9999);
        switch (dialect.MtiEncoding)
        {
            case MtiEncoding.Bcd:
                Bcd.WriteNumber(mti, destination[..2]);
                return 2;
            default:
                byte zero = dialect.MtiEncoding == MtiEncoding.Ebcdic ? (byte)0xF0 : (byte)'0';
                destination[0] = (byte)(zero + (mti / 1000));
                destination[1] = (byte)(zero + (mti / 100 % 10));
                destination[2] = (byte)(zero + (mti / 10 % 10));
                destination[3] = (byte)(zero + (mti % 10));
                return 4;
        }
    }

    private static int WriteBitmap(Span<byte> destination, ulong bitmap, BitmapEncoding encoding)
    {
        if (encoding == BitmapEncoding.Binary)
        {
            BinaryPrimitives.WriteUInt64BigEndian(destination, bitmap);
            return 8;
        }
        for (int i = 0; i < 16; i++)
            destination[i] = (byte)"0123456789ABCDEF"[(int)(bitmap >> (60 - (4 * i))) & 0xF];
        return 16;
    }

    private int WriteField(Span<byte> destination, int field, in FieldLayout layout)
    {
        ref readonly BuilderSlot slot = ref _slots[field];
        ReadOnlySpan<byte> content = _arena.AsSpan(slot.Offset, slot.Length);
        int pos = 0;
        if (layout.LengthKind != LengthKind.Fixed)
        {
            WriteLengthPrefix(destination[..layout.PrefixBytes], content.Length, layout.PrefixEncoding);
            pos = layout.PrefixBytes;
        }
        Span<byte> target = destination[pos..];
        switch (layout.Encoding)
        {
            case FieldEncoding.Ascii:
            case FieldEncoding.Binary:
                content.CopyTo(target);
                return pos + content.Length;
            case FieldEncoding.Ebcdic:
                Ebcdic.Encode(content, target);
                return pos + content.Length;
            default:
                return pos + layout.Content switch
                {
                    ContentType.Track => Bcd.PackTrack(content, target),
                    ContentType.SignedAmount => WriteSignedBcd(content, target),
                    _ => Bcd.PackNumeric(content, target),
                };
        }
    }

    private static int WriteSignedBcd(ReadOnlySpan<byte> content, Span<byte> target)
    {
        target[0] = content[0];
        return 1 + Bcd.PackNumeric(content[1..], target[1..]);
    }

    private static void WriteLengthPrefix(Span<byte> destination, int length, FieldEncoding encoding)
    {
        switch (encoding)
        {
            case FieldEncoding.Bcd:
                Bcd.WriteNumber(length, destination);
                break;
            case FieldEncoding.Binary:
                if (destination.Length == 1) destination[0] = (byte)length;
                else BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)length);
                break;
            default:
                byte zero = encoding == FieldEncoding.Ebcdic ? (byte)0xF0 : (byte)'0';
                for (int i = destination.Length - 1; i >= 0; i--, length /= 10)
                    destination[i] = (byte)(zero + (length % 10));
                break;
        }
    }
}
