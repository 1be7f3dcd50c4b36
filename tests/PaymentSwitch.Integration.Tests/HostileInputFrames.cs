using System.Buffers;
using System.Buffers.Binary;
using PaymentSwitch.Integration.Tests.Support;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Integration.Tests;

/// <summary>How a hostile session ends its connection.</summary>
internal enum HostileEnding
{
    /// <summary>A length header over the maximum: the switch must close at once.</summary>
    OverMaximumHeader,
    /// <summary>A header announcing more than is sent, then silence: the switch must close at the frame timeout.</summary>
    LyingHeaderThenStall,
    /// <summary>Random bytes (random header, random body).</summary>
    Garbage,
    /// <summary>A frame whose MTI has a flipped bit.</summary>
    MtiFlip,
    /// <summary>Half a frame, then a reset (linger 0).</summary>
    HalfFrameThenReset,
    /// <summary>Half a frame, then a graceful close of the sending side.</summary>
    HalfFrameThenClose,
}

/// <summary>
/// Seeded generator of hostile frames (len2 framing, iso87-ascii): mutations of valid requests that keep a readable
/// MTI (so the connection lives on and the switch must answer or ignore each), and connection-ending tails.
/// </summary>
internal sealed class HostileInputFrames
{
    public const int MaxFrameBytes = 8192;
    private const int HeaderBytes = 2;
    private static readonly byte[] s_interesting = [0x00, 0xFF, (byte)'0', (byte)'9', (byte)' ', 0x7F, 0x80, (byte)'=', (byte)'D', 0x01];

    private readonly Random _random;
    private readonly byte[][] _templates;

    public HostileInputFrames(int seed)
    {
        _random = new Random(seed);
        _templates = Templates();
    }

    public Random Random => _random;

    /// <summary>The full PANs the templates carry (none may ever appear in a log).</summary>
    public static readonly string[] TemplatePans = ["4761739001010010", "6270001234567897", "3000000000000004", "4761739001010011", "5100000000000008"];

    /// <summary>Writes one frame that keeps its MTI readable; returns its length (header included).</summary>
    public int WriteSurvivable(Span<byte> destination)
    {
        Random r = _random;
        byte[] template = _templates[r.Next(_templates.Length)];
        Span<byte> message = destination[HeaderBytes..];
        int length;
        int kind = r.Next(100);
        if (kind < 30)
        {
            // Bit flips after the MTI.
            length = Copy(template, message);
            for (int flips = 1 + r.Next(4); flips > 0; flips--) message[4 + r.Next(length - 4)] ^= (byte)(1 << r.Next(8));
        }
        else if (kind < 40)
        {
            // Interesting byte values at random places.
            length = Copy(template, message);
            for (int n = 1 + r.Next(3); n > 0; n--) message[4 + r.Next(length - 4)] = s_interesting[r.Next(s_interesting.Length)];
        }
        else if (kind < 50)
        {
            // Truncation, with an honest header.
            length = 4 + r.Next(template.Length - 4);
            template.AsSpan(0, length).CopyTo(message);
        }
        else if (kind < 60)
        {
            // Insertion of random bytes.
            int at = 4 + r.Next(template.Length - 3);
            int inserted = 1 + r.Next(32);
            template.AsSpan(0, at).CopyTo(message);
            r.NextBytes(message.Slice(at, inserted));
            template.AsSpan(at).CopyTo(message[(at + inserted)..]);
            length = template.Length + inserted;
        }
        else if (kind < 65)
        {
            // Deletion of a range.
            int at = 4 + r.Next(template.Length - 4);
            int removed = 1 + r.Next(Math.Min(40, template.Length - at));
            template.AsSpan(0, at).CopyTo(message);
            template.AsSpan(at + removed).CopyTo(message[at..]);
            length = template.Length - removed;
        }
        else if (kind < 73)
        {
            // Splice: the head of one template, the tail of another.
            byte[] other = _templates[r.Next(_templates.Length)];
            int cut = 4 + r.Next(template.Length - 4);
            int from = 4 + r.Next(other.Length - 4);
            template.AsSpan(0, cut).CopyTo(message);
            other.AsSpan(from).CopyTo(message[cut..]);
            length = cut + other.Length - from;
        }
        else if (kind < 81)
        {
            // A valid MTI, then random bytes.
            template.AsSpan(0, 4).CopyTo(message);
            int body = r.Next(400);
            r.NextBytes(message.Slice(4, body));
            length = 4 + body;
        }
        else if (kind < 86)
        {
            // Random bitmap: fields announced that are not there, and the reverse.
            length = Copy(template, message);
            r.NextBytes(message.Slice(4, 8 + (r.Next(2) * 8)));
        }
        else if (kind < 90)
        {
            // Inflated length prefixes: digits '9' at random places.
            length = Copy(template, message);
            for (int n = 1 + r.Next(3); n > 0; n--) message[4 + r.Next(length - 4)] = (byte)'9';
        }
        else if (kind < 95)
        {
            length = Copy(template, message); // valid as is
        }
        else
        {
            length = 0; // keep-alive
        }
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)length);
        return HeaderBytes + length;
    }

    /// <summary>Writes a connection-ending tail; <paramref name="sent"/> of it is to be sent before the ending's action.</summary>
    public int WriteEnding(Span<byte> destination, HostileEnding ending)
    {
        Random r = _random;
        byte[] template = _templates[r.Next(_templates.Length)];
        switch (ending)
        {
            case HostileEnding.OverMaximumHeader:
            {
                int announced = MaxFrameBytes + 1 + r.Next(65535 - MaxFrameBytes);
                BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)announced);
                int body = r.Next(64);
                r.NextBytes(destination.Slice(HeaderBytes, body));
                return HeaderBytes + body;
            }
            case HostileEnding.LyingHeaderThenStall:
            {
                int sent = 1 + r.Next(template.Length - 1);
                BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(template.Length + r.Next(1, 2000)));
                template.AsSpan(0, sent).CopyTo(destination[HeaderBytes..]);
                return HeaderBytes + sent;
            }
            case HostileEnding.Garbage:
            {
                int n = 1 + r.Next(600);
                r.NextBytes(destination[..n]);
                return n;
            }
            case HostileEnding.MtiFlip:
            {
                int length = Copy(template, destination[HeaderBytes..]);
                destination[HeaderBytes + r.Next(4)] ^= (byte)(1 << r.Next(8));
                BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)length);
                return HeaderBytes + length;
            }
            default:
            {
                // Half a frame: honest header, part of the message.
                BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)template.Length);
                int sent = r.Next(template.Length);
                template.AsSpan(0, sent).CopyTo(destination[HeaderBytes..]);
                return HeaderBytes + sent;
            }
        }
    }

    private static int Copy(byte[] template, Span<byte> destination)
    {
        template.CopyTo(destination);
        return template.Length;
    }

    /// <summary>Valid requests of each kind the switch handles, with fuzz-only terminal ids (never the good terminal's).</summary>
    private static byte[][] Templates()
    {
        var b = new IsoMessageBuilder(RunningSwitch.Ascii);
        var list = new List<byte[]>();
        byte[] Message()
        {
            byte[] bytes = new byte[b.MessageLength];
            b.WriteMessage(bytes);
            return bytes;
        }
        const string de7 = "0101120000";
        Requests.Authorisation(b, TemplatePans[0], 1000, 1, terminal: "FUZZ0001");
        list.Add(Message());
        Requests.Authorisation(b, TemplatePans[1], 2000, 2, terminal: "FUZZ0002");
        list.Add(Message());
        Requests.Authorisation(b, TemplatePans[2], 3000, 3, terminal: "FUZZ0003");  // no route: 15
        list.Add(Message());
        Requests.Authorisation(b, TemplatePans[3], 4000, 4, terminal: "FUZZ0004");  // bad Luhn: 14
        list.Add(Message());
        Requests.Authorisation(b, TemplatePans[4], 5000, 5, terminal: "FUZZ0005", mti: Mti.FinancialRequest);
        list.Add(Message());
        Requests.Authorisation(b, TemplatePans[0], 6000, 6, terminal: "FUZZ0006")
            .SetBinary(55, [0x9F, 0x02, 0x06, 0x00, 0x00, 0x00, 0x00, 0x60, 0x00, 0x5F, 0x2A, 0x02, 0x09, 0x78, 0x82, 0x02, 0x19, 0x80, 0x9F, 0x36, 0x02, 0x00, 0x01]);
        list.Add(Message());
        Requests.Authorisation(b, TemplatePans[0], 7000, 7, terminal: "FUZZ0007", mti: Mti.ReversalRequest)
            .SetString(90, $"0100000001{de7}0000001234500000000000");
        list.Add(Message());
        b.Reset(Mti.NetworkManagementRequest).SetString(7, de7).SetNumber(11, 8).SetNumber(70, 301);
        list.Add(Message());
        return [.. list];
    }
}
