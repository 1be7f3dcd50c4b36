using System.Runtime.CompilerServices;

namespace PaymentSwitch.LoadTest.Internal;

/// <summary>xorshift64* generator: a mutable struct, one per connection, no allocation, not thread-safe.</summary>
internal struct FastRandom
{
    private ulong _state;

    public FastRandom(ulong seed)
    {
        // splitmix64 scrambles small or similar seeds into well-spread non-zero states.
        ulong z = seed + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        _state = (z ^ (z >> 31)) | 1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        ulong x = _state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        _state = x;
        return x * 0x2545F4914F6CDD1DUL;
    }

    /// <summary>Uniform in [0, <paramref name="exclusiveMax"/>) (Lemire's multiply-shift; bias below 2^-32 for small ranges).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int NextInt(int exclusiveMax) => (int)(((NextUInt64() >> 32) * (ulong)(uint)exclusiveMax) >> 32);

    /// <summary>Uniform in [<paramref name="min"/>, <paramref name="max"/>] for 64-bit bounds.</summary>
    public long NextInt64Inclusive(long min, long max)
    {
        ulong range = (ulong)(max - min) + 1;
        return range == 0 ? (long)NextUInt64() : min + (long)(NextUInt64() % range);
    }

    /// <summary>Uniform in [0, 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));
}
