namespace PaymentSwitch.Iso8583.Internal;

/// <summary>EBCDIC code page 037 for the printable ASCII range 0x20–0x7E; anything else has no mapping.</summary>
internal static class Ebcdic
{
    /// <summary>ASCII byte → EBCDIC byte; 0 where the ASCII byte is not printable.</summary>
    public static readonly byte[] FromAscii = BuildFromAscii();
    /// <summary>EBCDIC byte → ASCII byte; 0 where the EBCDIC byte has no printable ASCII equivalent.</summary>
    public static readonly byte[] ToAscii = BuildToAscii(FromAscii);

    private static byte[] BuildFromAscii()
    {
        // Code page 037 positions of ASCII 0x20..0x7E, in ASCII order.
        ReadOnlySpan<byte> cp037 =
        [
            0x40, 0x5A, 0x7F, 0x7B, 0x5B, 0x6C, 0x50, 0x7D, 0x4D, 0x5D, 0x5C, 0x4E, 0x6B, 0x60, 0x4B, 0x61, // space ! " # $ % & ' ( ) * + , - . /
            0xF0, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9, 0x7A, 0x5E, 0x4C, 0x7E, 0x6E, 0x6F, // 0-9 : ; < = > ?
            0x7C, 0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, // @ A-O
            0xD7, 0xD8, 0xD9, 0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xBA, 0xE0, 0xBB, 0xB0, 0x6D, // P-Z [ \ ] ^ _
            0x79, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, // ` a-o
            0x97, 0x98, 0x99, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8, 0xA9, 0xC0, 0x4F, 0xD0, 0xA1,       // p-z { | } ~
        ];
        var table = new byte[256];
        for (int i = 0; i < cp037.Length; i++) table[0x20 + i] = cp037[i];
        return table;
    }

    private static byte[] BuildToAscii(byte[] fromAscii)
    {
        var table = new byte[256];
        for (int a = 0x20; a <= 0x7E; a++) table[fromAscii[a]] = (byte)a;
        return table;
    }

    /// <summary>Translates EBCDIC to ASCII. Returns the index of the first byte without a mapping, or -1.</summary>
    public static int Decode(ReadOnlySpan<byte> ebcdic, Span<byte> ascii)
    {
        for (int i = 0; i < ebcdic.Length; i++)
        {
            byte a = ToAscii[ebcdic[i]];
            if (a == 0) return i;
            ascii[i] = a;
        }
        return -1;
    }

    /// <summary>Translates printable ASCII to EBCDIC (the caller has validated the content).</summary>
    public static void Encode(ReadOnlySpan<byte> ascii, Span<byte> ebcdic)
    {
        for (int i = 0; i < ascii.Length; i++) ebcdic[i] = FromAscii[ascii[i]];
    }
}
