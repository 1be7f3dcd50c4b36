namespace PaymentSwitch.Iso8583;

/// <summary>Message type indicators the switch handles, as numbers (0100 is 100), and their arithmetic.</summary>
public static class Mti
{
    public const int AuthorisationRequest = 100;
    public const int AuthorisationRequestRepeat = 101;
    public const int AuthorisationResponse = 110;
    public const int AuthorisationAdvice = 120;
    public const int AuthorisationAdviceRepeat = 121;
    public const int AuthorisationAdviceResponse = 130;
    public const int FinancialRequest = 200;
    public const int FinancialRequestRepeat = 201;
    public const int FinancialResponse = 210;
    public const int ReversalRequest = 400;
    public const int ReversalRequestRepeat = 401;
    public const int ReversalResponse = 410;
    public const int ReversalAdvice = 420;
    public const int ReversalAdviceRepeat = 421;
    public const int ReversalAdviceResponse = 430;
    public const int NetworkManagementRequest = 800;
    public const int NetworkManagementResponse = 810;

    /// <summary>The response MTI for a request or advice (0100 → 0110, 0421 → 0430). Repeats answer as the original.</summary>
    public static int ResponseOf(int mti) => (mti - (mti % 10)) + 10;

    /// <summary>True for requests and advices (function digit 0 or 1, originals and repeats), false for responses.</summary>
    public static bool IsRequest(int mti) => (mti / 10 % 10) is 0 or 2 && (mti % 10) <= 1;

    /// <summary>True for a response (function digit 1 or 3).</summary>
    public static bool IsResponse(int mti) => (mti / 10 % 10) is 1 or 3;

    /// <summary>True for the repeat of a request (last digit 1).</summary>
    public static bool IsRepeat(int mti) => mti % 10 == 1;

    /// <summary>The MTI with the repeat digit cleared (0421 → 0420).</summary>
    public static int Original(int mti) => mti - (mti % 10);

    /// <summary>Four-digit text of an MTI (100 → "0100").</summary>
    public static string ToText(int mti) => mti.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);
}
