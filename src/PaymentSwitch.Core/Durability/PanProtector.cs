using System.Security.Cryptography;
using System.Text;

namespace PaymentSwitch.Core.Durability;

/// <summary>
/// Encrypts card numbers for the journal with AES-256-GCM (money-safety rule 5: the PAN is stored only encrypted).
/// Each blob is <c>nonce (12) | tag (16) | ciphertext</c>, with the key id as associated data, so a blob can only be
/// opened with the key it names. Nonces follow the deterministic construction of NIST SP 800-38D: a random 32-bit
/// field per process and a 64-bit counter that starts at a random value, so no nonce repeats under one key without
/// a random-number call per record. Thread-safe: encryption uses one shared <see cref="HardwareAesGcm"/> where the
/// processor has AES-NI and PCLMULQDQ (the same bytes as <see cref="AesGcm"/>, without OpenSSL's cost per call),
/// otherwise one <see cref="AesGcm"/> per thread; decryption always uses <see cref="AesGcm"/>.
/// </summary>
public sealed class PanProtector : IDisposable
{
    public const int NonceBytes = 12;
    public const int TagBytes = 16;
    public const int MaxPanDigits = 19;
    public const int MaxBlobBytes = NonceBytes + TagBytes + MaxPanDigits;

    private readonly byte[] _key;
    private readonly byte[] _keyIdBytes;
    private readonly ThreadLocal<AesGcm> _cipher;
    private readonly HardwareAesGcm? _hardware;
    private readonly uint _noncePrefix = BitConverter.ToUInt32(RandomNumberGenerator.GetBytes(4));
    private long _nonceCounter = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8));

    public PanProtector(byte[] key, string keyId) : this(key, keyId, HardwareAesGcm.IsSupported)
    {
    }

    /// <param name="useHardwareCipher">Encrypt with <see cref="HardwareAesGcm"/> (needs <see cref="HardwareAesGcm.IsSupported"/>).</param>
    public PanProtector(byte[] key, string keyId, bool useHardwareCipher)
    {
        if (key.Length != 32) throw new ArgumentException("The PAN key must be 32 bytes (AES-256).", nameof(key));
        if (string.IsNullOrEmpty(keyId) || keyId.Length > 32) throw new ArgumentException("The PAN key id must be 1..32 characters.", nameof(keyId));
        _key = (byte[])key.Clone();
        KeyId = keyId;
        _keyIdBytes = Encoding.ASCII.GetBytes(keyId);
        _cipher = new ThreadLocal<AesGcm>(() => new AesGcm(_key, TagBytes), trackAllValues: true);
        _hardware = useHardwareCipher ? new HardwareAesGcm(_key) : null;
    }

    /// <summary>True when encryption runs on <see cref="HardwareAesGcm"/>.</summary>
    public bool UsesHardwareCipher => _hardware is not null;

    /// <summary>Identifies the key; stored with every record so keys can be rotated.</summary>
    public string KeyId { get; }

    /// <summary>Loads the key from base64 configuration, or from (creating on first use) a key file.</summary>
    /// <remarks>
    /// A key file next to the journal protects against a stolen journal file only when the key file is kept
    /// elsewhere; production deployments set <c>PAYMENTSWITCH_Journal__PanKey</c> from a secret store.
    /// </remarks>
    public static PanProtector Create(string? base64Key, string keyId, string keyFilePath, out bool createdKeyFile)
    {
        createdKeyFile = false;
        byte[] key;
        if (!string.IsNullOrWhiteSpace(base64Key))
        {
            try
            {
                key = Convert.FromBase64String(base64Key);
            }
            catch (FormatException)
            {
                throw new InvalidOperationException("Journal:PanKey is not valid base64 (expected 32 random bytes, base64-encoded).");
            }
            if (key.Length != 32) throw new InvalidOperationException($"Journal:PanKey must decode to 32 bytes (it decodes to {key.Length}).");
            return new PanProtector(key, keyId);
        }
        if (File.Exists(keyFilePath))
        {
            key = Convert.FromBase64String(File.ReadAllText(keyFilePath).Trim());
            if (key.Length != 32) throw new InvalidOperationException($"The PAN key file '{keyFilePath}' does not hold 32 bytes.");
            return new PanProtector(key, keyId);
        }
        key = RandomNumberGenerator.GetBytes(32);
        Directory.CreateDirectory(Path.GetDirectoryName(keyFilePath)!);
        File.WriteAllText(keyFilePath, Convert.ToBase64String(key));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(keyFilePath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        createdKeyFile = true;
        return new PanProtector(key, keyId);
    }

    /// <summary>Encrypts <paramref name="pan"/> (ASCII digits) into <paramref name="blob"/>; returns the blob length.</summary>
    public int Protect(ReadOnlySpan<byte> pan, Span<byte> blob)
    {
        if (pan.Length > MaxPanDigits) throw new ArgumentException("A PAN has at most 19 digits.", nameof(pan));
        Span<byte> nonce = blob[..NonceBytes];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(nonce, _noncePrefix);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(nonce[4..], Interlocked.Increment(ref _nonceCounter));
        Span<byte> ciphertext = blob.Slice(NonceBytes + TagBytes, pan.Length);
        Span<byte> tag = blob.Slice(NonceBytes, TagBytes);
        if (_hardware is not null) _hardware.Encrypt(nonce, pan, ciphertext, tag, _keyIdBytes);
        else _cipher.Value!.Encrypt(nonce, pan, ciphertext, tag, _keyIdBytes);
        return NonceBytes + TagBytes + pan.Length;
    }

    /// <summary>Decrypts a blob made by <see cref="Protect"/>; false when it was not made with this key (or was altered).</summary>
    public bool TryUnprotect(ReadOnlySpan<byte> blob, Span<byte> pan, out int panLength)
    {
        panLength = blob.Length - NonceBytes - TagBytes;
        if (panLength is < 0 or > MaxPanDigits || pan.Length < panLength) return false;
        try
        {
            _cipher.Value!.Decrypt(blob[..NonceBytes], blob.Slice(NonceBytes + TagBytes, panLength), blob.Slice(NonceBytes, TagBytes), pan[..panLength], _keyIdBytes);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        foreach (AesGcm cipher in _cipher.Values) cipher.Dispose();
        _hardware?.Dispose();
        _cipher.Dispose();
        CryptographicOperations.ZeroMemory(_key);
    }
}
