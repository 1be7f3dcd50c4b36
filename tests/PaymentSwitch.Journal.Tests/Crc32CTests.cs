using System.Text;

namespace PaymentSwitch.Journal.Tests;

public class Crc32CTests
{
    public static TheoryData<byte[], uint> KnownVectors()
    {
        var data = new TheoryData<byte[], uint>
        {
            { Encoding.ASCII.GetBytes("123456789"), 0xE3069283u },
            { [], 0x00000000u },
            { new byte[32], 0x8A9136AAu },                                   // RFC 3720 B.4: 32 bytes of zeros
            { Enumerable.Repeat((byte)0xFF, 32).ToArray(), 0x62A8AB43u },     // 32 bytes of 0xFF
            { Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), 0x46DD794Eu },       // 0x00..0x1F ascending
            { Enumerable.Range(0, 32).Select(i => (byte)(31 - i)).ToArray(), 0x113FDB5Cu }, // 0x1F..0x00 descending
            { Encoding.ASCII.GetBytes("a"), 0xC1D04330u },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(KnownVectors))]
    public void Matches_known_vectors_on_every_path(byte[] input, uint expected)
    {
        Assert.Equal(expected, Crc32C.Compute(input));
        Assert.Equal(expected, Crc32C.ComputeSoftware(input));
        if (Crc32C.IsHardwareAccelerated)
        {
            Assert.Equal(expected, Crc32C.ComputeHardware(input));
        }
    }

    [Fact]
    public void This_machine_uses_the_hardware_instruction()
    {
        // The CI and development machines are x64 with SSE4.2; the hardware path must really be exercised here.
        Assert.True(Crc32C.IsHardwareAccelerated);
    }

    [Fact]
    public void Hardware_and_software_agree_on_random_data_of_every_length_and_alignment()
    {
        var random = new Random(12345);
        var buffer = new byte[4096 + 16];
        random.NextBytes(buffer);
        for (int length = 0; length <= 600; length++)
        {
            int start = random.Next(0, 16);
            ReadOnlySpan<byte> slice = buffer.AsSpan(start, length);
            Assert.Equal(Crc32C.ComputeSoftware(slice), Crc32C.ComputeHardware(slice));
        }

        Assert.Equal(Crc32C.ComputeSoftware(buffer), Crc32C.ComputeHardware(buffer));
    }

    [Fact]
    public void Append_continues_a_checksum()
    {
        byte[] data = Encoding.ASCII.GetBytes("123456789 and some more bytes to cross eight-byte steps");
        for (int split = 0; split <= data.Length; split++)
        {
            uint first = Crc32C.Compute(data.AsSpan(0, split));
            Assert.Equal(Crc32C.Compute(data), Crc32C.Append(first, data.AsSpan(split)));
        }
    }

    [Fact]
    public void Detects_every_single_bit_flip_in_a_record_sized_buffer()
    {
        var data = new byte[300];
        new Random(7).NextBytes(data);
        uint crc = Crc32C.Compute(data);
        for (int bit = 0; bit < data.Length * 8; bit++)
        {
            data[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.NotEqual(crc, Crc32C.Compute(data));
            data[bit / 8] ^= (byte)(1 << (bit % 8));
        }
    }
}
