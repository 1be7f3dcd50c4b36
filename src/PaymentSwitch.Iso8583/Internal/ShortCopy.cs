using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PaymentSwitch.Iso8583.Internal;

/// <summary>
/// Copies a field's bytes without a call for the common short lengths (most ISO 8583 fields are 2 to 16 bytes): two
/// overlapping unaligned loads and stores cover any length from 4 to 16; longer copies go to <see cref="Span{T}.CopyTo"/>.
/// </summary>
internal static class ShortCopy
{
    /// <summary>Copies all of <paramref name="source"/> to the start of <paramref name="destination"/> (which must be at least as long).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int length = source.Length;
        if ((uint)length > (uint)destination.Length) ThrowTooShort();
        ref byte from = ref MemoryMarshal.GetReference(source);
        ref byte to = ref MemoryMarshal.GetReference(destination);
        if (length >= 8)
        {
            if (length > 16)
            {
                source.CopyTo(destination);
                return;
            }
            ulong head = Unsafe.ReadUnaligned<ulong>(ref from);
            ulong tail = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref from, length - 8));
            Unsafe.WriteUnaligned(ref to, head);
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref to, length - 8), tail);
        }
        else if (length >= 4)
        {
            uint head = Unsafe.ReadUnaligned<uint>(ref from);
            uint tail = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref from, length - 4));
            Unsafe.WriteUnaligned(ref to, head);
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref to, length - 4), tail);
        }
        else
        {
            for (int i = 0; i < length; i++) Unsafe.Add(ref to, i) = Unsafe.Add(ref from, i);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowTooShort() => throw new ArgumentException("Destination is too short.", "destination");
}
