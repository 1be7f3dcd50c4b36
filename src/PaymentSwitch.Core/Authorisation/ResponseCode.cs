namespace PaymentSwitch.Core.Authorisation;

/// <summary>A two-character ISO 8583 response code (DE39), held as two ASCII bytes.</summary>
public readonly record struct ResponseCode(byte First, byte Second)
{
    public static readonly ResponseCode Approved = new((byte)'0', (byte)'0');
    public static readonly ResponseCode DoNotHonour = new((byte)'0', (byte)'5');
    public static readonly ResponseCode InvalidTransaction = new((byte)'1', (byte)'2');
    public static readonly ResponseCode InvalidAmount = new((byte)'1', (byte)'3');
    public static readonly ResponseCode InvalidCardNumber = new((byte)'1', (byte)'4');
    public static readonly ResponseCode NoSuchIssuer = new((byte)'1', (byte)'5');
    public static readonly ResponseCode UnableToLocateOriginal = new((byte)'2', (byte)'5');
    public static readonly ResponseCode FormatError = new((byte)'3', (byte)'0');
    public static readonly ResponseCode ExpiredCard = new((byte)'5', (byte)'4');
    public static readonly ResponseCode IssuerUnavailable = new((byte)'9', (byte)'1');
    public static readonly ResponseCode DuplicateTransmission = new((byte)'9', (byte)'4');
    public static readonly ResponseCode SystemMalfunction = new((byte)'9', (byte)'6');

    public bool IsApproved => First == '0' && Second == '0';

    /// <summary>Reads a response code from two ASCII bytes; false when it is not two alphanumeric characters.</summary>
    public static bool TryRead(ReadOnlySpan<byte> ascii, out ResponseCode code)
    {
        code = default;
        if (ascii.Length != 2 || !char.IsAsciiLetterOrDigit((char)ascii[0]) || !char.IsAsciiLetterOrDigit((char)ascii[1])) return false;
        code = new ResponseCode(ascii[0], ascii[1]);
        return true;
    }

    public void CopyTo(Span<byte> destination)
    {
        destination[0] = First;
        destination[1] = Second;
    }

    /// <summary>Index 0..1295 of a code made of two base-36 characters (for counters without dictionaries).</summary>
    public int Index => (Digit36(First) * 36) + Digit36(Second);

    public static ResponseCode FromIndex(int index) => new(Char36(index / 36), Char36(index % 36));

    private static int Digit36(byte c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static byte Char36(int d) => (byte)(d < 10 ? '0' + d : 'A' + d - 10);

    public override string ToString() => $"{(char)First}{(char)Second}";
}
