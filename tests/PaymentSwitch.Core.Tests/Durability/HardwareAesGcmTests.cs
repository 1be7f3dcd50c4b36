using System.Security.Cryptography;
using PaymentSwitch.Core.Durability;

namespace PaymentSwitch.Core.Tests.Durability;

/// <summary>
/// The switch's own AES-256-GCM must produce exactly the bytes of the platform's (OpenSSL) <see cref="AesGcm"/>:
/// compared over random keys, nonces and every plaintext and associated-data length that spans 0 to 4 blocks, and
/// against published known answers. The processor of the test machine must have AES-NI and PCLMULQDQ; a machine
/// without them fails here rather than skipping, because the switch would then silently run the slower path.
/// </summary>
public class HardwareAesGcmTests
{
    [Fact]
    public void The_test_machine_has_the_instructions()
    {
        Assert.True(HardwareAesGcm.IsSupported, "AES-NI or PCLMULQDQ missing: the journal would encrypt card numbers through OpenSSL instead");
    }

    [Fact]
    public void Same_ciphertext_and_tag_as_the_platform_for_every_length_up_to_four_blocks()
    {
        var random = new Random(20261122);
        int compared = 0;
        for (int keyRound = 0; keyRound < 8; keyRound++)
        {
            byte[] key = new byte[32];
            random.NextBytes(key);
            using var platform = new AesGcm(key, 16);
            using var own = new HardwareAesGcm(key);
            for (int textLength = 0; textLength <= 64; textLength++)
            {
                foreach (int aadLength in new[] { 0, 1, 2, 15, 16, 17, 31, 32, 33, 40 })
                {
                    byte[] nonce = new byte[12], plaintext = new byte[textLength], aad = new byte[aadLength];
                    random.NextBytes(nonce);
                    random.NextBytes(plaintext);
                    random.NextBytes(aad);

                    byte[] expectedText = new byte[textLength], expectedTag = new byte[16];
                    platform.Encrypt(nonce, plaintext, expectedText, expectedTag, aad);
                    byte[] text = new byte[textLength], tag = new byte[16];
                    own.Encrypt(nonce, plaintext, text, tag, aad);

                    Assert.Equal(Convert.ToHexString(expectedText), Convert.ToHexString(text));
                    Assert.Equal(Convert.ToHexString(expectedTag), Convert.ToHexString(tag));
                    compared++;
                }
            }
        }

        Assert.Equal(8 * 65 * 10, compared);
    }

    [Fact]
    public void What_it_encrypts_the_platform_decrypts_and_a_changed_bit_is_refused()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        using var own = new HardwareAesGcm(key);
        using var platform = new AesGcm(key, 16);
        byte[] nonce = RandomNumberGenerator.GetBytes(12), aad = "k1"u8.ToArray(), pan = "4761739001010010123"u8.ToArray();
        byte[] text = new byte[pan.Length], tag = new byte[16];
        own.Encrypt(nonce, pan, text, tag, aad);

        byte[] opened = new byte[pan.Length];
        platform.Decrypt(nonce, text, tag, opened, aad);
        Assert.Equal(pan, opened);

        tag[15] ^= 0x80;
        Assert.ThrowsAny<CryptographicException>(() => platform.Decrypt(nonce, text, tag, opened, aad));
    }

    // Known answers for AES-256 with an all-zero key and nonce (McGrew and Viega, "The Galois/Counter Mode of
    // Operation", test cases 13 and 14).
    [Theory]
    [InlineData("", "", "530F8AFBC74536B9A963B4F1C4CB738B")]
    [InlineData("00000000000000000000000000000000", "CEA7403D4D606B6E074EC5D3BAF39D18", "D0D1C8A799996BF0265B98B5D48AB919")]
    public void Published_known_answers(string plaintextHex, string ciphertextHex, string tagHex)
    {
        using var own = new HardwareAesGcm(new byte[32]);
        byte[] plaintext = Convert.FromHexString(plaintextHex);
        byte[] text = new byte[plaintext.Length], tag = new byte[16];
        own.Encrypt(new byte[12], plaintext, text, tag, ReadOnlySpan<byte>.Empty);
        Assert.Equal(ciphertextHex, Convert.ToHexString(text));
        Assert.Equal(tagHex, Convert.ToHexString(tag));
    }

    [Fact]
    public void Encrypting_in_place_gives_the_same_bytes()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32), nonce = RandomNumberGenerator.GetBytes(12);
        using var own = new HardwareAesGcm(key);
        byte[] plaintext = "4761739001010010"u8.ToArray(), separate = new byte[16], tag1 = new byte[16], tag2 = new byte[16];
        own.Encrypt(nonce, plaintext, separate, tag1, "k"u8);
        own.Encrypt(nonce, plaintext, plaintext, tag2, "k"u8);
        Assert.Equal(separate, plaintext);
        Assert.Equal(tag1, tag2);
    }

    [Fact]
    public void Wrong_sizes_are_refused()
    {
        using var own = new HardwareAesGcm(new byte[32]);
        Assert.Throws<ArgumentException>(() => new HardwareAesGcm(new byte[16]));
        Assert.Throws<ArgumentException>(() => own.Encrypt(new byte[16], new byte[4], new byte[4], new byte[16], default));
        Assert.Throws<ArgumentException>(() => own.Encrypt(new byte[12], new byte[4], new byte[4], new byte[12], default));
        Assert.Throws<ArgumentException>(() => own.Encrypt(new byte[12], new byte[4], new byte[3], new byte[16], default));
    }
}
