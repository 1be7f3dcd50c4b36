using BenchmarkDotNet.Attributes;
using PaymentSwitch.Core.Durability;

namespace PaymentSwitch.Benchmarks;

/// <summary>
/// Encrypting one card number for the journal's Forwarded record (once per authorisation): the switch's own
/// AES-256-GCM on AES-NI and PCLMULQDQ against the platform's <see cref="System.Security.Cryptography.AesGcm"/>
/// (OpenSSL), same key, same output.
/// </summary>
[MemoryDiagnoser]
public class PanProtectionBenchmarks
{
    private static readonly byte[] Pan = "4761739001010010"u8.ToArray();
    private readonly byte[] _blob = new byte[PanProtector.MaxBlobBytes];
    private PanProtector _hardware = null!;
    private PanProtector _platform = null!;

    [GlobalSetup]
    public void Setup()
    {
        byte[] key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        _hardware = new PanProtector(key, "k1", useHardwareCipher: true);
        _platform = new PanProtector(key, "k1", useHardwareCipher: false);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _hardware.Dispose();
        _platform.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int ProtectWithPlatformAesGcm() => _platform.Protect(Pan, _blob);

    [Benchmark]
    public int ProtectWithHardwareAesGcm() => _hardware.Protect(Pan, _blob);
}
