using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace PaymentSwitch.Journal;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of every journal record and
/// segment header. Uses the SSE4.2 <c>crc32</c> instruction on x86/x64, the ARMv8 CRC32 extension on Arm,
/// and a table-driven (slicing-by-8) software path everywhere else. All paths give identical results.
/// </summary>
public static class Crc32C
{
    private const uint ReflectedPolynomial = 0x82F63B78u;

    // 8 tables of 256 entries for slicing-by-8; built once, 8 KiB.
    private static readonly uint[] s_table = BuildTable();

    /// <summary>True when a hardware CRC-32C instruction is used by <see cref="Compute"/>.</summary>
    public static bool IsHardwareAccelerated => Sse42.IsSupported || Crc32.IsSupported;

    /// <summary>Computes the CRC-32C of <paramref name="data"/> (standard initial value and final xor).</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>
    /// Continues a CRC-32C: <c>Append(Compute(a), b) == Compute(a ++ b)</c>.
    /// </summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data) => ~UpdateBest(~crc, data);

    /// <summary>Software-only CRC-32C (for tests and for comparing against the hardware path).</summary>
    internal static uint ComputeSoftware(ReadOnlySpan<byte> data) => ~UpdateSoftware(~0u, data);

    /// <summary>Hardware CRC-32C; throws when no hardware instruction is available.</summary>
    internal static uint ComputeHardware(ReadOnlySpan<byte> data)
    {
        if (Sse42.IsSupported)
        {
            return ~UpdateSse42(~0u, data);
        }

        if (Crc32.IsSupported)
        {
            return ~UpdateArm(~0u, data);
        }

        throw new PlatformNotSupportedException("This CPU has no CRC-32C instruction (SSE4.2 or ARMv8 CRC32).");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint UpdateBest(uint crc, ReadOnlySpan<byte> data)
    {
        if (Sse42.IsSupported)
        {
            return UpdateSse42(crc, data);
        }

        if (Crc32.IsSupported)
        {
            return UpdateArm(crc, data);
        }

        return UpdateSoftware(crc, data);
    }

    private static uint UpdateSse42(uint crc, ReadOnlySpan<byte> data)
    {
        ref byte p = ref MemoryMarshal.GetReference(data);
        nuint length = (nuint)data.Length;
        nuint i = 0;
        if (Sse42.X64.IsSupported)
        {
            ulong c = crc;
            for (; i + 8 <= length; i += 8)
            {
                c = Sse42.X64.Crc32(c, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i)));
            }

            crc = (uint)c;
        }

        for (; i + 4 <= length; i += 4)
        {
            crc = Sse42.Crc32(crc, Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, i)));
        }

        for (; i < length; i++)
        {
            crc = Sse42.Crc32(crc, Unsafe.Add(ref p, i));
        }

        return crc;
    }

    private static uint UpdateArm(uint crc, ReadOnlySpan<byte> data)
    {
        ref byte p = ref MemoryMarshal.GetReference(data);
        nuint length = (nuint)data.Length;
        nuint i = 0;
        if (Crc32.Arm64.IsSupported)
        {
            for (; i + 8 <= length; i += 8)
            {
                crc = Crc32.Arm64.ComputeCrc32C(crc, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i)));
            }
        }

        for (; i + 4 <= length; i += 4)
        {
            crc = Crc32.ComputeCrc32C(crc, Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, i)));
        }

        for (; i < length; i++)
        {
            crc = Crc32.ComputeCrc32C(crc, Unsafe.Add(ref p, i));
        }

        return crc;
    }

    private static uint UpdateSoftware(uint crc, ReadOnlySpan<byte> data)
    {
        uint[] t = s_table;
        int i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            uint low = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(i)) ^ crc;
            uint high = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(i + 4));
            crc = t[(7 * 256) + (low & 0xFF)]
                ^ t[(6 * 256) + ((low >> 8) & 0xFF)]
                ^ t[(5 * 256) + ((low >> 16) & 0xFF)]
                ^ t[(4 * 256) + (low >> 24)]
                ^ t[(3 * 256) + (high & 0xFF)]
                ^ t[(2 * 256) + ((high >> 8) & 0xFF)]
                ^ t[(1 * 256) + ((high >> 16) & 0xFF)]
                ^ t[high >> 24];
        }

        for (; i < data.Length; i++)
        {
            crc = t[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[8 * 256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? (c >> 1) ^ ReflectedPolynomial : c >> 1;
            }

            table[n] = c;
        }

        for (int slice = 1; slice < 8; slice++)
        {
            for (int n = 0; n < 256; n++)
            {
                uint previous = table[((slice - 1) * 256) + n];
                table[(slice * 256) + n] = table[previous & 0xFF] ^ (previous >> 8);
            }
        }

        return table;
    }
}
