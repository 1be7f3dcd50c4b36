using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using PaymentSwitch.Iso8583.Internal;

namespace PaymentSwitch.Iso8583;

/// <summary>
/// A parsed ISO 8583 message: a view over the received bytes that records where each present field starts and ends.
/// Parsing copies nothing and allocates nothing; the view is valid as long as the bytes it was parsed from are.
/// Reuse one instance per connection: <see cref="TryParse"/> overwrites the previous message.
/// </summary>
/// <remarks>
/// Accessors return field content in the model's form: ASCII characters for every non-binary type (BCD and EBCDIC
/// are decoded on access), raw bytes for <c>b</c> fields. For <c>z</c> fields the separator reads as <c>=</c>.
/// </remarks>
public sealed class IsoMessage
{
    private ReadOnlyMemory<byte> _message;
    private Dialect? _dialect;
    private ulong _primary;
    private ulong _secondary;
    private FieldSlots _slots;

    /// <summary>The message type indicator as a number (0100 is 100).</summary>
    public int Mti { get; private set; }

    /// <summary>The dialect the message was parsed with.</summary>
    public Dialect Dialect => _dialect ?? throw new InvalidOperationException("No message has been parsed.");

    /// <summary>The bytes of the whole message (MTI onwards, no frame header).</summary>
    public ReadOnlyMemory<byte> Bytes => _message;

    public ulong PrimaryBitmap => _primary;
    public ulong SecondaryBitmap => _secondary;

    /// <summary>
    /// Parses <paramref name="message"/> (MTI onwards) with <paramref name="dialect"/>. On failure, <paramref name="error"/>
    /// says which field and why, and the view holds the MTI when it could be read (so the caller can answer DE39 = 30).
    /// Never throws for malformed input and never reads outside <paramref name="message"/>.
    /// </summary>
    public bool TryParse(ReadOnlyMemory<byte> message, Dialect dialect, out ParseError error)
    {
        _message = message;
        _dialect = dialect;
        _primary = 0;
        _secondary = 0;
        Mti = -1;
        ReadOnlySpan<byte> span = message.Span;
        int pos = 0;

        // MTI
        int mtiLength = dialect.MtiLength;
        if (span.Length < mtiLength) return Fail(out error, ParseErrorKind.Truncated, 0, 0);
        int mti = ReadMti(span[..mtiLength], dialect.MtiEncoding);
        if (mti < 0) return Fail(out error, ParseErrorKind.InvalidMti, 0, 0);
        Mti = mti;
        pos = mtiLength;

        // Bitmaps
        int bitmapLength = dialect.BitmapLength;
        if (span.Length - pos < bitmapLength) return Fail(out error, ParseErrorKind.Truncated, 0, pos);
        if (!TryReadBitmap(span.Slice(pos, bitmapLength), dialect.BitmapEncoding, out ulong primary))
            return Fail(out error, ParseErrorKind.InvalidBitmap, 0, pos);
        pos += bitmapLength;
        ulong secondary = 0;
        if ((primary & Bit1) != 0)
        {
            if (span.Length - pos < bitmapLength) return Fail(out error, ParseErrorKind.MissingSecondaryBitmap, 1, pos);
            if (!TryReadBitmap(span.Slice(pos, bitmapLength), dialect.BitmapEncoding, out secondary))
                return Fail(out error, ParseErrorKind.InvalidBitmap, 1, pos);
            pos += bitmapLength;
        }

        // Fields, in bitmap order.
        FieldLayout[] layouts = dialect.Layouts;
        ulong bits = primary & ~Bit1;
        while (bits != 0)
        {
            int field = BitOperations.LeadingZeroCount(bits) + 1;
            bits &= ~(Bit1 >> (field - 1));
            if (!TryParseField(span, ref pos, field, layouts, out error)) return false;
        }
        bits = secondary;
        while (bits != 0)
        {
            int index = BitOperations.LeadingZeroCount(bits);
            bits &= ~(Bit1 >> index);
            if (!TryParseField(span, ref pos, 65 + index, layouts, out error)) return false;
        }

        if (pos != span.Length) return Fail(out error, ParseErrorKind.TrailingBytes, 0, pos);
        _primary = primary;
        _secondary = secondary;
        error = default;
        return true;
    }

    private const ulong Bit1 = 1UL << 63;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryParseField(ReadOnlySpan<byte> span, ref int pos, int field, FieldLayout[] layouts, out ParseError error)
    {
        ref readonly FieldLayout layout = ref layouts[field];
        if (!layout.Defined) return Fail(out error, ParseErrorKind.UndefinedField, field, pos);

        int logical;
        if (layout.LengthKind == LengthKind.Fixed)
        {
            logical = layout.MaxLogical;
        }
        else
        {
            if (span.Length - pos < layout.PrefixBytes) return Fail(out error, ParseErrorKind.Truncated, field, pos);
            logical = ReadLengthPrefix(span.Slice(pos, layout.PrefixBytes), layout.PrefixEncoding);
            if (logical < 0) return Fail(out error, ParseErrorKind.InvalidLengthPrefix, field, pos);
            if (logical > layout.MaxLogical) return Fail(out error, ParseErrorKind.LengthExceedsMaximum, field, pos);
            pos += layout.PrefixBytes;
        }

        int byteLength = layout.EncodedLength(logical);
        if (span.Length - pos < byteLength)
            return Fail(out error, layout.LengthKind == LengthKind.Fixed ? ParseErrorKind.Truncated : ParseErrorKind.LengthExceedsFrame, field, pos);

        int bad = ValidateContent(span.Slice(pos, byteLength), logical, in layout);
        if (bad >= 0) return Fail(out error, ParseErrorKind.InvalidCharacter, field, pos + bad);

        ref FieldSlot slot = ref _slots[field];
        slot.Offset = pos;
        slot.ByteLength = byteLength;
        slot.LogicalLength = logical;
        pos += byteLength;
        error = default;
        return true;
    }

    private static int ValidateContent(ReadOnlySpan<byte> wire, int logical, in FieldLayout layout)
    {
        switch (layout.Encoding)
        {
            case FieldEncoding.Ascii:
                return ContentValidator.FindInvalid(layout.Content, wire);
            case FieldEncoding.Binary:
                return -1;
            case FieldEncoding.Bcd:
                return layout.Content switch
                {
                    ContentType.Numeric => Bcd.ValidateNumeric(wire, logical),
                    ContentType.Track => Bcd.ValidateTrack(wire, logical),
                    _ => wire.Length == 0 ? -1
                        : wire[0] is not ((byte)'C' or (byte)'D') ? 0
                        : Bcd.ValidateNumeric(wire[1..], logical - 1) is int i && i >= 0 ? i + 1 : -1,
                };
            default:
                return ValidateEbcdic(wire, layout.Content);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int ValidateEbcdic(ReadOnlySpan<byte> wire, ContentType content)
    {
        Span<byte> ascii = wire.Length <= 256 ? stackalloc byte[wire.Length] : new byte[wire.Length];
        int bad = Ebcdic.Decode(wire, ascii);
        return bad >= 0 ? bad : ContentValidator.FindInvalid(content, ascii);
    }

    private static bool Fail(out ParseError error, ParseErrorKind kind, int field, int offset)
    {
        error = new ParseError(kind, field, offset);
        return false;
    }

    internal static int ReadMti(ReadOnlySpan<byte> mti, MtiEncoding encoding)
    {
        if (encoding == MtiEncoding.Bcd) return Bcd.ReadNumber(mti);
        int value = 0;
        foreach (byte b in mti)
        {
            int d = (encoding == MtiEncoding.Ebcdic ? b - 0xF0 : b - '0');
            if ((uint)d > 9) return -1;
            value = (value * 10) + d;
        }
        return value;
    }

    private static bool TryReadBitmap(ReadOnlySpan<byte> bytes, BitmapEncoding encoding, out ulong bitmap)
    {
        if (encoding == BitmapEncoding.Binary)
        {
            bitmap = BinaryPrimitives.ReadUInt64BigEndian(bytes);
            return true;
        }
        bitmap = 0;
        foreach (byte b in bytes)
        {
            int v = HexValue(b);
            if (v < 0) return false;
            bitmap = (bitmap << 4) | (uint)v;
        }
        return true;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        _ => -1,
    };

    internal static int ReadLengthPrefix(ReadOnlySpan<byte> prefix, FieldEncoding encoding)
    {
        switch (encoding)
        {
            case FieldEncoding.Bcd:
                return Bcd.ReadNumber(prefix);
            case FieldEncoding.Binary:
                return prefix.Length == 1 ? prefix[0] : BinaryPrimitives.ReadUInt16BigEndian(prefix);
            default:
                int value = 0;
                int zero = encoding == FieldEncoding.Ebcdic ? 0xF0 : '0';
                foreach (byte b in prefix)
                {
                    int d = b - zero;
                    if ((uint)d > 9) return -1;
                    value = (value * 10) + d;
                }
                return value;
        }
    }

    /// <summary>True when field <paramref name="field"/> (1–128; 1 is the secondary bitmap) is present.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Has(int field)
    {
        if ((uint)(field - 1) < 64u) return (_primary & (Bit1 >> (field - 1))) != 0;
        if ((uint)(field - 65) < 64u) return (_secondary & (Bit1 >> (field - 65))) != 0;
        return false;
    }

    /// <summary>The next present field after <paramref name="field"/> (2–128), or -1. Start with 1.</summary>
    public int NextField(int field)
    {
        int f = Math.Max(field + 1, 2);
        if (f <= 64)
        {
            ulong rest = _primary & (ulong.MaxValue >> (f - 1));
            if (rest != 0) return System.Numerics.BitOperations.LeadingZeroCount(rest) + 1;
            f = 65;
        }
        if (f > 128) return -1;
        ulong tail = _secondary & (ulong.MaxValue >> (f - 65));
        return tail != 0 ? System.Numerics.BitOperations.LeadingZeroCount(tail) + 65 : -1;
    }

    /// <summary>Length of a present field in characters (digits for n and z, bytes for b); -1 when absent.</summary>
    public int GetLength(int field) => Has(field) && field > 1 ? _slots[field].LogicalLength : -1;

    /// <summary>The field's bytes exactly as on the wire (after any length prefix). Empty when absent.</summary>
    public ReadOnlySpan<byte> GetRaw(int field)
    {
        if (!Has(field) || field < 2) return default;
        ref readonly FieldSlot slot = ref _slots[field];
        return _message.Span.Slice(slot.Offset, slot.ByteLength);
    }

    /// <summary>
    /// The field's content as ASCII characters (raw bytes for b fields). Zero-copy when the field is ASCII or binary on
    /// the wire; otherwise decoded into <paramref name="scratch"/>, which must hold <see cref="GetLength"/> bytes.
    /// False when the field is absent or <paramref name="scratch"/> is too small.
    /// </summary>
    public bool TryGetAscii(int field, Span<byte> scratch, out ReadOnlySpan<byte> value)
    {
        if (!Has(field) || field < 2) { value = default; return false; }
        ref readonly FieldSlot slot = ref _slots[field];
        ReadOnlySpan<byte> wire = _message.Span.Slice(slot.Offset, slot.ByteLength);
        ref readonly FieldLayout layout = ref _dialect!.Layouts[field];
        if (layout.Encoding is FieldEncoding.Ascii or FieldEncoding.Binary) { value = wire; return true; }
        if (scratch.Length < slot.LogicalLength) { value = default; return false; }
        Decode(wire, slot.LogicalLength, in layout, scratch);
        value = scratch[..slot.LogicalLength];
        return true;
    }

    /// <summary>Copies the field's content (as <see cref="TryGetAscii"/> returns it) into <paramref name="destination"/>; returns its length, or -1 when absent or too long.</summary>
    public int CopyContent(int field, Span<byte> destination)
    {
        if (!Has(field) || field < 2) return -1;
        ref readonly FieldSlot slot = ref _slots[field];
        if (destination.Length < slot.LogicalLength) return -1;
        ReadOnlySpan<byte> wire = _message.Span.Slice(slot.Offset, slot.ByteLength);
        ref readonly FieldLayout layout = ref _dialect!.Layouts[field];
        if (layout.Encoding is FieldEncoding.Ascii or FieldEncoding.Binary) wire.CopyTo(destination);
        else Decode(wire, slot.LogicalLength, in layout, destination);
        return slot.LogicalLength;
    }

    internal static void Decode(ReadOnlySpan<byte> wire, int logical, in FieldLayout layout, Span<byte> ascii)
    {
        if (layout.Encoding == FieldEncoding.Ebcdic) { Ebcdic.Decode(wire, ascii); return; }
        switch (layout.Content)
        {
            case ContentType.Track:
                Bcd.UnpackTrack(wire, logical, ascii);
                break;
            case ContentType.SignedAmount:
                ascii[0] = wire[0];
                Bcd.UnpackNumeric(wire[1..], logical - 1, ascii[1..]);
                break;
            default:
                Bcd.UnpackNumeric(wire, logical, ascii);
                break;
        }
    }

    /// <summary>Reads a numeric field of up to 18 digits as a number. False when absent, not numeric or too long.</summary>
    public bool TryGetInt64(int field, out long value)
    {
        value = 0;
        if (!Has(field) || field < 2) return false;
        ref readonly FieldSlot slot = ref _slots[field];
        if (slot.LogicalLength is 0 or > 18) return false;
        ReadOnlySpan<byte> wire = _message.Span.Slice(slot.Offset, slot.ByteLength);
        ref readonly FieldLayout layout = ref _dialect!.Layouts[field];
        if (layout.Encoding == FieldEncoding.Bcd && layout.Content == ContentType.Numeric)
        {
            int nibble = (wire.Length * 2) - slot.LogicalLength;
            for (int i = 0; i < slot.LogicalLength; i++, nibble++)
            {
                int b = wire[nibble >> 1];
                value = (value * 10) + ((nibble & 1) == 0 ? b >> 4 : b & 0xF);
            }
            return true;
        }
        Span<byte> ascii = stackalloc byte[18];
        if (!TryGetAscii(field, ascii, out ReadOnlySpan<byte> digits)) return false;
        foreach (byte b in digits)
        {
            int d = b - '0';
            if ((uint)d > 9) { value = 0; return false; }
            value = (value * 10) + d;
        }
        return true;
    }

    /// <summary>
    /// The field's content as a string (hex for b fields). Allocates: for tools and cold paths, not the hot path.
    /// Card numbers come back in clear: mask them (<see cref="PanMask"/>) before showing them.
    /// </summary>
    public bool TryGetString(int field, [NotNullWhen(true)] out string? value)
    {
        value = null;
        if (!Has(field) || field < 2) return false;
        int length = _slots[field].LogicalLength;
        byte[] buffer = new byte[length];
        CopyContent(field, buffer);
        value = _dialect!.Layouts[field].Content == ContentType.Binary ? Convert.ToHexString(buffer) : Encoding.ASCII.GetString(buffer);
        return true;
    }

    /// <summary>True when the field is present and its content (as ASCII) equals <paramref name="ascii"/>.</summary>
    public bool FieldEquals(int field, ReadOnlySpan<byte> ascii)
    {
        Span<byte> scratch = stackalloc byte[64];
        return TryGetAscii(field, scratch, out ReadOnlySpan<byte> value) && value.SequenceEqual(ascii);
    }
}
