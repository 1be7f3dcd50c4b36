using System.Text;
using PaymentSwitch.Iso8583.Emv;

namespace PaymentSwitch.Iso8583;

/// <summary>
/// Renders a message for people (logs, tools, the operator's dump): field numbers, names and values, with card numbers
/// masked (first 6, last 4), track data, PIN blocks and other secret fields hidden (only their length shown), and
/// EMV data listed tag by tag with its card-number and track-bearing tags masked or hidden. Allocates: cold path only.
/// </summary>
public static class MessageDescriber
{
    /// <summary>EMV tags that carry the card number: shown masked.</summary>
    private static readonly uint[] EmvPanTags = [0x5A];

    /// <summary>EMV tags that carry track data, cardholder names or PIN data: never shown.</summary>
    private static readonly uint[] EmvSecretTags = [0x56, 0x57, 0x5F20, 0x99, 0x9F1F, 0x9F20, 0x9F6B];

    /// <summary>A multi-line description: one line per field.</summary>
    public static string Describe(IsoMessage message)
    {
        var sb = new StringBuilder(512);
        sb.Append(Mti.ToText(message.Mti)).Append(" (").Append(message.Dialect.Name).Append(')').AppendLine();
        for (int field = message.NextField(1); field > 0; field = message.NextField(field))
        {
            FieldSpec spec = message.Dialect[field]!;
            sb.Append("  DE").Append(field.ToString("D3", System.Globalization.CultureInfo.InvariantCulture)).Append(' ')
              .Append(spec.Name.PadRight(44, ' ')).Append(' ');
            AppendValue(sb, message, field, spec);
            sb.AppendLine();
        }
        return sb.ToString();
    }

    /// <summary>A one-line description with the fields that identify a transaction (for log lines).</summary>
    public static string Summarize(IsoMessage message)
    {
        var sb = new StringBuilder(160);
        sb.Append(Mti.ToText(message.Mti));
        ReadOnlySpan<(int Field, string Label)> identity =
        [
            (2, "pan"), (3, "proc"), (4, "amount"), (49, "currency"), (7, "dt"), (11, "stan"), (32, "acq"),
            (37, "rrn"), (41, "tid"), (42, "mid"), (39, "rc"), (38, "auth"), (70, "nmic"),
        ];
        foreach ((int field, string label) in identity)
        {
            if (!message.Has(field)) continue;
            sb.Append(' ').Append(label).Append('=');
            AppendValue(sb, message, field, message.Dialect[field]!);
        }
        return sb.ToString();
    }

    private static void AppendValue(StringBuilder sb, IsoMessage message, int field, FieldSpec spec)
    {
        int length = message.GetLength(field);
        byte[] content = new byte[length];
        message.CopyContent(field, content);
        switch (spec.Sensitivity)
        {
            case FieldSensitivity.Pan:
                sb.Append(PanMask.Mask(content));
                break;
            case FieldSensitivity.Secret:
                sb.Append("[hidden, ").Append(length).Append(spec.Content == ContentType.Binary ? " bytes]" : " chars]");
                break;
            case FieldSensitivity.Emv:
                AppendEmv(sb, content);
                break;
            default:
                if (spec.Content == ContentType.Binary) sb.Append(Convert.ToHexString(content));
                else sb.Append('"').Append(Encoding.ASCII.GetString(content)).Append('"');
                break;
        }
    }

    private static void AppendEmv(StringBuilder sb, ReadOnlySpan<byte> data)
    {
        if (!TlvReader.Validate(data, out TlvError error))
        {
            // Never dump malformed EMV data: it may hold a card number or track data.
            sb.Append("[malformed: ").Append(error.ToString()).Append(", ").Append(data.Length).Append(" bytes hidden]");
            return;
        }
        AppendEmvLevel(sb, new TlvReader(data));
    }

    private static void AppendEmvLevel(StringBuilder sb, TlvReader reader)
    {
        bool first = true;
        while (reader.TryRead(out TlvElement element, out _))
        {
            if (!first) sb.Append(' ');
            first = false;
            sb.Append(element.Tag.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)).Append('=');
            if (element.IsConstructed)
            {
                sb.Append('{');
                AppendEmvLevel(sb, element.ReadChildren());
                sb.Append('}');
            }
            else if (Array.IndexOf(EmvSecretTags, element.Tag) >= 0)
            {
                sb.Append("[hidden, ").Append(element.Value.Length).Append(" bytes]");
            }
            else if (Array.IndexOf(EmvPanTags, element.Tag) >= 0)
            {
                // The PAN in tag 5A is packed BCD, padded with F.
                string digits = Convert.ToHexString(element.Value).TrimEnd('F');
                sb.Append(PanMask.Mask(digits));
            }
            else
            {
                sb.Append(Convert.ToHexString(element.Value));
            }
        }
    }
}
