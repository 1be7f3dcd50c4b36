using System.Security.Cryptography;
using System.Text;
using PaymentSwitch.Core.Durability;

namespace PaymentSwitch.Core.Tests.Durability;

/// <summary>AES-256-GCM card-number protection (money-safety rule 5).</summary>
public class PanProtectorTests
{
    private static readonly byte[] Pan = "4761739001010010"u8.ToArray();

    private static byte[] Protect(PanProtector protector, ReadOnlySpan<byte> pan)
    {
        byte[] blob = new byte[PanProtector.MaxBlobBytes];
        int length = protector.Protect(pan, blob);
        return blob[..length];
    }

    private static string? Unprotect(PanProtector protector, ReadOnlySpan<byte> blob)
    {
        byte[] pan = new byte[PanProtector.MaxPanDigits];
        return protector.TryUnprotect(blob, pan, out int length) ? Encoding.ASCII.GetString(pan, 0, length) : null;
    }

    [Theory]
    [InlineData("476173900101")]
    [InlineData("4761739001010010")]
    [InlineData("4761739001010010123")]
    public void Round_trip_with_a_fresh_nonce_each_time_and_no_clear_digits(string pan)
    {
        using var protector = new PanProtector(RandomNumberGenerator.GetBytes(32), "k1");
        byte[] first = Protect(protector, Encoding.ASCII.GetBytes(pan));
        byte[] second = Protect(protector, Encoding.ASCII.GetBytes(pan));

        Assert.Equal(PanProtector.NonceBytes + PanProtector.TagBytes + pan.Length, first.Length);
        Assert.NotEqual(first, second); // random nonce: the same card never gives the same bytes
        Assert.Equal(pan, Unprotect(protector, first));
        Assert.Equal(pan, Unprotect(protector, second));
        Assert.Equal(-1, first.AsSpan().IndexOf(Encoding.ASCII.GetBytes(pan)));
    }

    [Fact]
    public void Any_altered_byte_of_nonce_tag_or_ciphertext_is_refused()
    {
        using var protector = new PanProtector(RandomNumberGenerator.GetBytes(32), "k1");
        byte[] blob = Protect(protector, Pan);
        for (int i = 0; i < blob.Length; i++)
        {
            byte[] altered = (byte[])blob.Clone();
            altered[i] ^= 0x01;
            Assert.Null(Unprotect(protector, altered));
        }
        Assert.Null(Unprotect(protector, blob.AsSpan(0, blob.Length - 1))); // a digit cut off
        Assert.Null(Unprotect(protector, blob.AsSpan(0, PanProtector.NonceBytes + PanProtector.TagBytes - 1)));
    }

    [Fact]
    public void Another_key_or_the_same_key_under_another_id_cannot_open_a_blob()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        using var k1 = new PanProtector(key, "k1");
        using var sameKeyOtherId = new PanProtector(key, "k2");
        using var otherKey = new PanProtector(RandomNumberGenerator.GetBytes(32), "k1");
        byte[] blob = Protect(k1, Pan);

        Assert.Null(Unprotect(sameKeyOtherId, blob)); // the key id is authenticated with the blob
        Assert.Null(Unprotect(otherKey, blob));
        Assert.Equal("4761739001010010", Unprotect(k1, blob));
    }

    [Fact]
    public void A_destination_too_small_is_refused_and_a_card_number_over_19_digits_is_rejected()
    {
        using var protector = new PanProtector(RandomNumberGenerator.GetBytes(32), "k1");
        byte[] blob = Protect(protector, Pan);
        Assert.False(protector.TryUnprotect(blob, new byte[Pan.Length - 1], out _));
        Assert.Throws<ArgumentException>(() => protector.Protect("47617390010100101234"u8, new byte[64]));
    }

    [Fact]
    public void Keys_and_key_ids_are_checked()
    {
        Assert.Throws<ArgumentException>(() => new PanProtector(new byte[16], "k1"));
        Assert.Throws<ArgumentException>(() => new PanProtector(new byte[32], ""));
        Assert.Throws<ArgumentException>(() => new PanProtector(new byte[32], new string('k', 33)));
    }

    [Fact]
    public void Create_takes_a_base64_key_and_explains_a_bad_one()
    {
        string dir = Directory.CreateTempSubdirectory("ps-pankey-").FullName;
        try
        {
            byte[] key = RandomNumberGenerator.GetBytes(32);
            string keyFile = Path.Combine(dir, "pan.key");
            using (PanProtector configured = PanProtector.Create(Convert.ToBase64String(key), "k7", keyFile, out bool created))
            {
                Assert.False(created);
                Assert.False(File.Exists(keyFile));
                using var same = new PanProtector(key, "k7");
                Assert.Equal("4761739001010010", Unprotect(same, Protect(configured, Pan)));
            }

            var notBase64 = Assert.Throws<InvalidOperationException>(() => PanProtector.Create("not base64!", "k1", keyFile, out _));
            Assert.Contains("Journal:PanKey is not valid base64", notBase64.Message);
            var shortKey = Assert.Throws<InvalidOperationException>(() => PanProtector.Create(Convert.ToBase64String(new byte[16]), "k1", keyFile, out _));
            Assert.Contains("must decode to 32 bytes (it decodes to 16)", shortKey.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Without_a_configured_key_a_private_key_file_is_created_once_and_reused()
    {
        string dir = Directory.CreateTempSubdirectory("ps-pankey-").FullName;
        try
        {
            string keyFile = Path.Combine(dir, "journal", "pan.key");
            byte[] blob;
            using (PanProtector first = PanProtector.Create(null, "k1", keyFile, out bool created))
            {
                Assert.True(created);
                blob = Protect(first, Pan);
            }
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));

            using PanProtector second = PanProtector.Create("", "k1", keyFile, out bool createdAgain);
            Assert.False(createdAgain);
            Assert.Equal("4761739001010010", Unprotect(second, blob));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Blobs_from_the_hardware_cipher_and_from_the_platform_open_with_either()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        using var hardware = new PanProtector(key, "k1", useHardwareCipher: true);
        using var platform = new PanProtector(key, "k1", useHardwareCipher: false);
        Assert.True(hardware.UsesHardwareCipher);
        Assert.False(platform.UsesHardwareCipher);
        Assert.True(new PanProtector(key, "k1").UsesHardwareCipher); // the default where the processor allows it

        foreach (string pan in new[] { "476173900101", "4761739001010010", "4761739001010010123" })
        {
            byte[] digits = Encoding.ASCII.GetBytes(pan);
            Assert.Equal(pan, Unprotect(platform, Protect(hardware, digits)));
            Assert.Equal(pan, Unprotect(hardware, Protect(platform, digits)));
        }
    }
}
