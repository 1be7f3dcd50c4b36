using PaymentSwitch.Iso8583.Emv;
using PaymentSwitch.Iso8583.Tests.Support;

namespace PaymentSwitch.Iso8583.Tests;

/// <summary>
/// Seeded mutations of valid frames (bit flips, truncations, insertions, deletions, overwrites): the parser must
/// answer every one with success or a ParseError, never an exception, and a view it accepts must lie inside the frame.
/// </summary>
public class MutationTests
{
    public static TheoryData<string> DialectNames => new() { "iso87-ascii", "iso87-bcd", "iso87-ebcdic-test" };

    [Theory]
    [MemberData(nameof(DialectNames))]
    public void A_hundred_thousand_mutated_frames_never_throw_or_read_outside_the_frame(string dialectName)
    {
        Dialect dialect = TestDialects.ByName(dialectName);
        var random = new RandomMessages(8583);
        Random rng = random.Random;
        var builder = new IsoMessageBuilder(dialect);
        var message = new IsoMessage();
        var seeds = new List<byte[]>();
        for (int i = 0; i < 200; i++)
        {
            random.Fill(builder, dialect);
            var bytes = new byte[builder.MessageLength];
            builder.WriteMessage(bytes);
            seeds.Add(bytes);
        }

        int accepted = 0, rejected = 0;
        var kinds = new HashSet<ParseErrorKind>();
        byte[] scratch = new byte[FieldSpec.MaxFieldLength + 1];
        for (int i = 0; i < 100_000; i++)
        {
            byte[] mutated = Mutate(seeds[rng.Next(seeds.Count)], rng);
            // Place the frame inside a larger buffer whose other bytes are a sentinel: reads must stay inside.
            byte[] buffer = new byte[mutated.Length + 64];
            buffer.AsSpan().Fill(0xA5);
            mutated.CopyTo(buffer, 32);
            ReadOnlyMemory<byte> frame = buffer.AsMemory(32, mutated.Length);

            if (!message.TryParse(frame, dialect, out ParseError error))
            {
                rejected++;
                kinds.Add(error.Kind);
                Assert.InRange(error.Offset, 0, mutated.Length);
                Assert.InRange(error.Field, 0, 128);
                continue;
            }
            accepted++;
            for (int f = message.NextField(1); f > 0; f = message.NextField(f))
            {
                ReadOnlySpan<byte> raw = message.GetRaw(f);
                Assert.True(frame.Span.Overlaps(raw, out int offset) || raw.IsEmpty, $"field {f} outside the frame");
                Assert.InRange(offset + raw.Length, 0, mutated.Length);
                Assert.True(message.CopyContent(f, scratch) >= 0);
                message.TryGetInt64(f, out _);
                if (f == 55) TlvReader.Validate(raw, out _);
            }
            MessageDescriber.Summarize(message);
        }

        Assert.True(accepted > 1000, $"only {accepted} mutations parsed: the mutator should leave many frames valid");
        Assert.True(rejected > 10_000, $"only {rejected} mutations rejected");
        Assert.Contains(ParseErrorKind.Truncated, kinds);
        Assert.Contains(ParseErrorKind.TrailingBytes, kinds);
    }

    private static byte[] Mutate(byte[] source, Random rng)
    {
        var bytes = new List<byte>(source);
        int count = 1 + rng.Next(3);
        for (int m = 0; m < count && bytes.Count > 0; m++)
        {
            switch (rng.Next(6))
            {
                case 0: // bit flip
                    int at = rng.Next(bytes.Count);
                    bytes[at] ^= (byte)(1 << rng.Next(8));
                    break;
                case 1: // truncate
                    int keep = rng.Next(bytes.Count);
                    bytes.RemoveRange(keep, bytes.Count - keep);
                    break;
                case 2: // insert random bytes
                    int pos = rng.Next(bytes.Count + 1);
                    var extra = new byte[1 + rng.Next(8)];
                    rng.NextBytes(extra);
                    bytes.InsertRange(pos, extra);
                    break;
                case 3: // delete a run
                    int start = rng.Next(bytes.Count);
                    bytes.RemoveRange(start, Math.Min(bytes.Count - start, 1 + rng.Next(8)));
                    break;
                case 4: // overwrite with digits (looks like a length prefix)
                    int o = rng.Next(bytes.Count);
                    bytes[o] = (byte)('0' + rng.Next(10));
                    break;
                default: // set a random bitmap bit
                    int b = Math.Min(bytes.Count - 1, 4 + rng.Next(8));
                    bytes[b] |= (byte)(1 << rng.Next(8));
                    break;
            }
        }
        return bytes.ToArray();
    }
}
