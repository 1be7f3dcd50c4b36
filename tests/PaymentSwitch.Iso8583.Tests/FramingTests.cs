using System.Buffers;
using PaymentSwitch.Iso8583.Tests.Support;

namespace PaymentSwitch.Iso8583.Tests;

public class FramingTests
{
    private static readonly byte[] Body = Hex.Ascii("0800 pretend message body");

    [Fact]
    public void Len2_frame_spanning_one_byte_segments_is_read_whole()
    {
        var framing = new Framing(FrameHeader.Len2);
        byte[] wire = Hex.Concat(Hex.Parse("00 19"), Body, Hex.Parse("00"));
        ReadOnlySequence<byte> buffer = Segment.OneBytePerSegment(wire);

        Assert.Equal(FrameStatus.Complete, framing.TryReadFrame(ref buffer, out ReadOnlySequence<byte> message, out _, out int announced));
        Assert.Equal(25, announced);
        Assert.Equal(Body, message.ToArray());
        Assert.Equal(1, buffer.Length); // the first byte of the next header is left
        Assert.Equal(FrameStatus.Incomplete, framing.TryReadFrame(ref buffer, out _, out _, out _));
        Assert.Equal(1, buffer.Length);
    }

    [Fact]
    public void Several_frames_in_one_buffer_are_read_in_order()
    {
        var framing = Framing.Parse("len4-ascii");
        byte[] wire = Hex.Concat(Hex.Ascii("0003abc"), Hex.Ascii("0000"), Hex.Ascii("0002de"), Hex.Ascii("00"));
        ReadOnlySequence<byte> buffer = Segment.Split(wire, 2, 5, 9, 12);
        var read = new List<string>();
        while (framing.TryReadFrame(ref buffer, out ReadOnlySequence<byte> message, out _, out _) == FrameStatus.Complete)
            read.Add(System.Text.Encoding.ASCII.GetString(message.ToArray()));
        Assert.Equal(["abc", "", "de"], read);
        Assert.Equal(2, buffer.Length);
    }

    [Fact]
    public void Incomplete_frame_leaves_the_buffer_untouched()
    {
        var framing = new Framing(FrameHeader.Len2);
        ReadOnlySequence<byte> buffer = new(Hex.Concat(Hex.Parse("00 19"), Body[..10]));
        long before = buffer.Length;
        Assert.Equal(FrameStatus.Incomplete, framing.TryReadFrame(ref buffer, out _, out _, out _));
        Assert.Equal(before, buffer.Length);
    }

    [Fact]
    public void Frame_larger_than_the_maximum_is_refused_before_it_arrives()
    {
        var framing = new Framing(FrameHeader.Len2, maxFrameBytes: 1024);
        ReadOnlySequence<byte> buffer = new(Hex.Parse("04 01 00 00"));
        Assert.Equal(FrameStatus.TooLarge, framing.TryReadFrame(ref buffer, out _, out _, out int announced));
        Assert.Equal(1025, announced);
    }

    [Fact]
    public void Len4_header_with_a_non_digit_is_invalid()
    {
        var framing = Framing.Parse("len4-ascii");
        ReadOnlySequence<byte> buffer = new(Hex.Ascii("00x3abc"));
        Assert.Equal(FrameStatus.InvalidHeader, framing.TryReadFrame(ref buffer, out _, out _, out _));
    }

    [Fact]
    public void Tpdu_is_read_after_the_length_and_swapped_for_the_reply()
    {
        var framing = new Framing(FrameHeader.Len2, hasTpdu: true);
        byte[] wire = Hex.Concat(Hex.Parse("00 08"), Hex.Parse("60 00 03 00 07"), Hex.Ascii("abc"));
        ReadOnlySequence<byte> buffer = Segment.Split(wire, 3, 4);
        Assert.Equal(FrameStatus.Complete, framing.TryReadFrame(ref buffer, out ReadOnlySequence<byte> message, out Tpdu tpdu, out _));
        Assert.Equal(new Tpdu(0x60, 0x0003, 0x0007), tpdu);
        Assert.Equal("abc"u8.ToArray(), message.ToArray());

        byte[] header = new byte[framing.HeaderLength];
        framing.WriteHeader(header, 3, tpdu.ForReply());
        Assert.Equal(Hex.Parse("00 08 60 00 07 00 03"), header);

        ReadOnlySequence<byte> tooShort = new(Hex.Parse("00 03 60 00 03"));
        Assert.Equal(FrameStatus.InvalidHeader, framing.TryReadFrame(ref tooShort, out _, out _, out _));
    }

    [Fact]
    public void Builder_writes_a_framed_message_into_a_buffer_writer()
    {
        var dialect = TestDialects.Ascii;
        var builder = new IsoMessageBuilder(dialect);
        builder.Reset(810).SetNumber(11, 7).SetString(39, "00").SetNumber(70, 301);
        var writer = new ArrayBufferWriter<byte>();
        var framing = Framing.Parse("len4-ascii");
        int written = builder.WriteFrame(writer, framing);
        Assert.Equal(writer.WrittenCount, written);
        Assert.Equal(Hex.Ascii((written - 4).ToString("D4")), writer.WrittenSpan[..4].ToArray());

        ReadOnlySequence<byte> buffer = new(writer.WrittenMemory);
        Assert.Equal(FrameStatus.Complete, framing.TryReadFrame(ref buffer, out ReadOnlySequence<byte> message, out _, out _));
        var parsed = new IsoMessage();
        Assert.True(parsed.TryParse(Framing.Contiguous(message, new byte[framing.MaxFrameBytes]), dialect, out ParseError error), error.ToString());
        Assert.True(parsed.FieldEquals(39, "00"u8));
    }

    [Fact]
    public void Multi_segment_message_is_made_contiguous_in_the_scratch_buffer()
    {
        byte[] data = Hex.Ascii("0123456789");
        ReadOnlySequence<byte> split = Segment.Split(data, 3, 7);
        byte[] scratch = new byte[32];
        ReadOnlyMemory<byte> contiguous = Framing.Contiguous(split, scratch);
        Assert.Equal(data, contiguous.ToArray());
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(contiguous, out ArraySegment<byte> segment) && segment.Array == scratch);
    }

    [Fact]
    public void Unknown_framing_name_and_out_of_range_maximum_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Framing.Parse("len3"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Framing(FrameHeader.Len4Ascii, maxFrameBytes: 20000));
    }
}
