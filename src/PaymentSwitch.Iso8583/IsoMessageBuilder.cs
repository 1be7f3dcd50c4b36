using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using PaymentSwitch.Iso8583.Internal;

namespace PaymentSwitch.Iso8583;

/// <summary>
/// Builds an ISO 8583 message and writes it straight into an <see cref="IBufferWriter{T}"/> (a connection's
/// <c>PipeWriter</c>). Fields may be set in any order. Each field is encoded for the dialect as it is set (length
/// prefix and content, exactly as on the wire) into an internal arena, so writing the message is the MTI, the bitmaps
/// and one copy per field, or a single copy when the fields were set in ascending order. A field copied from a message
/// with the same wire format is copied as bytes; from another dialect it is decoded and encoded again. Reuse one
/// builder per connection: after warm-up, building allocates nothing.
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
    private int _lastField;
    private bool _ordered;
    private byte[]? _decoded;

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
        _lastField = 0;
        _ordered = true;
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

    /// <summary>
    /// The content of a set field (ASCII, or raw bytes for b fields), padded as it will be written. For fields the
    /// dialect encodes as BCD or EBCDIC the span is decoded into a buffer of the builder's, valid until the next call.
    /// </summary>
    public ReadOnlySpan<byte> Get(int field)
    {
        if (!Has(field)) return default;
        ref readonly BuilderSlot slot = ref _slots[field];
        ref readonly FieldLayout layout = ref _dialect.Layouts[field];
        ReadOnlySpan<byte> wire = _arena.AsSpan(slot.Offset + layout.PrefixBytes, slot.WireLength - layout.PrefixBytes);
        if (layout.Encoding is FieldEncoding.Ascii or FieldEncoding.Binary) return wire;
        if (_decoded is null || _decoded.Length < slot.Length) _decoded = new byte[Math.Max(slot.Length, 64)];
        IsoMessage.Decode(wire, slot.Length, in layout, _decoded);
        return _decoded.AsSpan(0, slot.Length);
    }

    /// <summary>Removes a field.</summary>
    public IsoMessageBuilder Remove(int field)
    {
        if (!Has(field)) return this;
        _fieldsWireLength -= _slots[field].WireLength;
        if (field <= 64) _primary &= ~(Bit1 >> (field - 1));
        else _secondary &= ~(Bit1 >> (field - 65));
        _ordered = false; // its bytes stay in the arena
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
        if (layout.Encoding is FieldEncoding.Ascii or FieldEncoding.Binary)
        {
            Pad(value, target, in layout);
        }
        else if (value.Length == length)
        {
            if (layout.Encoding == FieldEncoding.Bcd && layout.Content == ContentType.Numeric) Bcd.PackNumeric(value, target);
            else Encode(value, target, in layout);
        }
        else
        {
            PadAndEncode(value, target, length, in layout);
        }
        return true;
    }

    /// <summary>A short fixed BCD or EBCDIC field: padded first, then encoded (kept out of <see cref="TrySet"/> for its stack buffer).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void PadAndEncode(ReadOnlySpan<byte> value, Span<byte> target, int length, in FieldLayout layout)
    {
        Span<byte> padded = length <= 256 ? stackalloc byte[256] : new byte[length];
        padded = padded[..length];
        Pad(value, padded, in layout);
        Encode(padded, target, in layout);
    }

    /// <summary>Copies <paramref name="value"/> into <paramref name="target"/> (its full length), padded for the field's type.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Pad(ReadOnlySpan<byte> value, Span<byte> target, in FieldLayout layout)
    {
        if (value.Length == target.Length)
        {
            ShortCopy.Copy(value, target);
        }
        else if (layout.Content == ContentType.Numeric)
        {
            int pad = target.Length - value.Length;
            target[..pad].Fill((byte)'0');
            value.CopyTo(target[pad..]);
        }
        else
        {
            value.CopyTo(target);
            target[value.Length..].Fill((byte)' ');
        }
    }

    /// <summary>Encodes ASCII content (already padded) for a BCD or EBCDIC field.</summary>
    private static void Encode(ReadOnlySpan<byte> ascii, Span<byte> target, in FieldLayout layout)
    {
        switch (layout.Encoding)
        {
            case FieldEncoding.Ascii:
            case FieldEncoding.Binary:
                ascii.CopyTo(target);
                break;
            case FieldEncoding.Ebcdic:
                Ebcdic.Encode(ascii, target);
                break;
            default:
                switch (layout.Content)
                {
                    case ContentType.Track:
                        Bcd.PackTrack(ascii, target);
                        break;
                    case ContentType.SignedAmount:
                        WriteSignedBcd(ascii, target);
                        break;
                    default:
                        Bcd.PackNumeric(ascii, target);
                        break;
                }
                break;
        }
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
        // Digits written right to left, zero-padded: no validation needed.
        Span<byte> target = Allocate(field, length, in layout);
        if (layout.Encoding == FieldEncoding.Ascii) WriteDigits(value, target);
        else if (layout.Encoding == FieldEncoding.Bcd) Bcd.WriteNumber(value, target); // right-aligned, zero nibbles before
        else EncodeNumber(value, target, length, in layout);
        return this;
    }

    /// <summary>Writes <paramref name="value"/> as ASCII digits filling <paramref name="target"/>, zero-padded on the left.</summary>
    private static void WriteDigits(long value, Span<byte> target)
    {
        int i = target.Length;
        ReadOnlySpan<byte> pairs = DigitPairs;
        while (value >= 10 && i >= 2)
        {
            (value, long pair) = Math.DivRem(value, 100);
            i -= 2;
            target[i] = pairs[(int)pair * 2];
            target[i + 1] = pairs[((int)pair * 2) + 1];
        }
        if (i > 0)
        {
            target[--i] = (byte)('0' + value);
            if (i <= Zeros.Length) ShortCopy.Copy(Zeros[..i], target);
            else target[..i].Fill((byte)'0');
        }
    }

    private static ReadOnlySpan<byte> Zeros => "0000000000000000"u8;

    private static ReadOnlySpan<byte> DigitPairs =>
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"u8;

    /// <summary>A number for a BCD or EBCDIC numeric field: digits first, then encoded.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void EncodeNumber(long value, Span<byte> target, int length, in FieldLayout layout)
    {
        Span<byte> ascii = length <= 256 ? stackalloc byte[256] : new byte[length];
        ascii = ascii[..length];
        WriteDigits(value, ascii);
        Encode(ascii, target, in layout);
    }

    private IsoMessageBuilder SetNumberSlow(int field, long value)
    {
        Span<byte> digits = stackalloc byte[20];
        value.TryFormat(digits, out int written, provider: System.Globalization.CultureInfo.InvariantCulture);
        return SetAscii(field, digits[..written]);
    }

    private static int CountDigits(long value)
    {
        ulong v = (ulong)value;
        int estimate = ((System.Numerics.BitOperations.Log2(v | 1) + 1) * 1233) >> 12; // ⌊log10(2^bits)⌋
        return Math.Max(1, estimate + (v >= PowersOfTen[estimate] ? 1 : 0));
    }

    private static readonly ulong[] PowersOfTen =
    [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000,
        100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
        10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000, 10_000_000_000_000_000_000,
    ];

    /// <summary>Sets a b field from raw bytes.</summary>
    public IsoMessageBuilder SetBinary(int field, ReadOnlySpan<byte> value) => SetAscii(field, value);

    /// <summary>Copies field <paramref name="field"/> from <paramref name="source"/> when present there (decoding its dialect). False when absent or not valid here.</summary>
    public bool TryCopy(IsoMessage source, int field)
    {
        if (!source.Has(field) || (uint)(field - 2) > 126u) return false;
        ref readonly FieldLayout to = ref _dialect.Layouts[field];
        ref readonly FieldLayout from = ref source.Dialect.Layouts[field];
        int length = source.GetLength(field);
        if (to.SameWireFormat(in from))
        {
            // Same wire format: the parser validated the content, so its bytes are copied as they are.
            if (length > to.MaxLogical) return false;
            ReadOnlySpan<byte> raw = source.GetRaw(field);
            ShortCopy.Copy(raw, Allocate(field, length, in to));
            return true;
        }
        return TryCopyDecoded(source, field, length, from.Defined && from.Content == to.Content);
    }

    /// <summary>Copies a field from a message with another wire format: decoded to ASCII, then encoded for this dialect.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryCopyDecoded(IsoMessage source, int field, int length, bool validated)
    {
        Span<byte> scratch = length <= 256 ? stackalloc byte[256] : new byte[length];
        // The parser validated the content for the same content type: no need to look at it again.
        return source.TryGetAscii(field, scratch, out ReadOnlySpan<byte> value) && TrySet(field, value, validated);
    }

    /// <summary>Copies each of <paramref name="fields"/> that <paramref name="source"/> has.</summary>
    public IsoMessageBuilder CopyFrom(IsoMessage source, ReadOnlySpan<byte> fields)
    {
        foreach (byte field in fields) TryCopy(source, field);
        return this;
    }

    /// <summary>
    /// Takes arena room for the field's wire bytes and writes its length prefix; returns the span for its encoded
    /// content (<see cref="FieldLayout.EncodedLength"/> of <paramref name="length"/> characters).
    /// </summary>
    private Span<byte> Allocate(int field, int length, in FieldLayout layout)
    {
        int contentBytes = layout.EncodedLength(length);
        int wireLength = layout.PrefixBytes + contentBytes;
        if (_arena.Length - _used < wireLength) Grow(wireLength);
        ref BuilderSlot slot = ref _slots[field];
        if (field <= _lastField || Has(field))
        {
            _ordered = false;
            if (Has(field)) _fieldsWireLength -= slot.WireLength;
        }
        _lastField = field;
        slot.Offset = _used;
        slot.Length = length;
        slot.WireLength = wireLength;
        _fieldsWireLength += wireLength;
        _used += wireLength;
        if (field <= 64) _primary |= Bit1 >> (field - 1);
        else _secondary |= Bit1 >> (field - 65);
        if (layout.PrefixBytes != 0) WriteLengthPrefix(_arena.AsSpan(slot.Offset, layout.PrefixBytes), length, layout.PrefixEncoding);
        return _arena.AsSpan(slot.Offset + layout.PrefixBytes, contentBytes);
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

        if (_ordered)
        {
            // Set in ascending field order with nothing replaced or removed: the arena is the message's field area.
            _arena.AsSpan(0, _used).CopyTo(destination[pos..]);
            pos += _used;
        }
        else
        {
            for (ulong bits = _primary & ~Bit1; bits != 0;)
            {
                int field = System.Numerics.BitOperations.LeadingZeroCount(bits) + 1;
                bits &= ~(Bit1 >> (field - 1));
                pos += CopyField(destination[pos..], field);
            }
            for (ulong bits = _secondary; bits != 0;)
            {
                int index = System.Numerics.BitOperations.LeadingZeroCount(bits);
                bits &= ~(Bit1 >> index);
                pos += CopyField(destination[pos..], 65 + index);
            }
        }
        Debug.Assert(pos == destination.Length, "MessageLength and the written bytes disagree.");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int CopyField(Span<byte> destination, int field)
    {
        ref readonly BuilderSlot slot = ref _slots[field];
        _arena.AsSpan(slot.Offset, slot.WireLength).CopyTo(destination);
        return slot.WireLength;
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

    private static int WriteSignedBcd(ReadOnlySpan<byte> content, Span<byte> target)
    {
        target[0] = content[0];
        return 1 + Bcd.PackNumeric(content[1..], target[1..]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteLengthPrefix(Span<byte> destination, int length, FieldEncoding encoding)
    {
        if (encoding == FieldEncoding.Ascii && (uint)length < 1000)
        {
            // LL and LLL in ASCII, the usual cases: digits from the pair table.
            if (destination.Length == 2 && length < 100)
            {
                destination[0] = DigitPairs[length * 2];
                destination[1] = DigitPairs[(length * 2) + 1];
                return;
            }
            if (destination.Length == 3)
            {
                (int hundreds, int rest) = Math.DivRem(length, 100);
                destination[0] = (byte)('0' + hundreds);
                destination[1] = DigitPairs[rest * 2];
                destination[2] = DigitPairs[(rest * 2) + 1];
                return;
            }
        }
        if (encoding == FieldEncoding.Bcd && (uint)length < 10000)
        {
            // LL in one byte, LLL and LLLL in two.
            if (destination.Length == 1 && length < 100)
            {
                destination[0] = Bcd.ToBcdByte(length);
                return;
            }
            if (destination.Length == 2)
            {
                (int high, int low) = Math.DivRem(length, 100);
                destination[0] = Bcd.ToBcdByte(high);
                destination[1] = Bcd.ToBcdByte(low);
                return;
            }
        }
        WriteLengthPrefixSlow(destination, length, encoding);
    }

    private static void WriteLengthPrefixSlow(Span<byte> destination, int length, FieldEncoding encoding)
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
