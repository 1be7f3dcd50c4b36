using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Core.Configuration;
using PaymentSwitch.Core.Durability;
using PaymentSwitch.Core.Issuers;
using PaymentSwitch.Iso8583;
using PaymentSwitch.Journal;

namespace PaymentSwitch.Core.Tests.Durability;

/// <summary>
/// Real parts for the durability tests: the repository's dialect, transactions parsed from real ISO 8583 bytes (with
/// track data and a PIN block, which must never reach a record), issuer links that are built but never started, and
/// journals in fresh directories on the real disk.
/// </summary>
internal static class DurabilityFixtures
{
    public const string Pan = "4761739001010010";
    public const string Track2 = Pan + "=25121010000012300000";
    public static readonly byte[] PinBlock = [0xDE, 0xAD, 0xBE, 0xEF, 0x13, 0x57, 0x9B, 0xDF];

    public static readonly Dialect Ascii = DialectLoader.LoadByName(Path.Combine(RepositoryRoot(), "config", "dialects"), "iso87-ascii");

    /// <summary>Card issuer links by id; never started, so they open no socket.</summary>
    public static IssuerLink Issuer(string id) => new CardIssuerLink(
        new IssuerOptions { Id = id, Kind = "card", Endpoints = ["127.0.0.1:9"] }, Ascii, NullLogger.Instance);

    public static PanProtector NewProtector(string keyId = "k1") => new(RandomNumberGenerator.GetBytes(32), keyId);

    /// <summary>A transaction as the engine holds it just before its Forwarded record is written.</summary>
    public static Transaction Forwardable(IssuerLink issuer, long amount, int acquirerStan, string terminal = "TERM0001", string acquirer = "12345",
        int mti = Mti.AuthorisationRequest, string currency = "978", string pan = Pan, int issuerStan = 42)
    {
        var builder = new IsoMessageBuilder(Ascii);
        builder.Reset(mti)
            .SetString(2, pan)
            .SetNumber(3, 0)
            .SetNumber(4, amount)
            .SetString(7, "0601123000")
            .SetNumber(11, acquirerStan)
            .SetString(12, "123000")
            .SetString(13, "0601")
            .SetNumber(22, 51)
            .SetString(32, acquirer)
            .SetString(35, pan + "=25121010000012300000")
            .SetString(37, $"RRN{acquirerStan:D9}")
            .SetString(41, terminal)
            .SetString(42, "MERCHANT0000001")
            .SetString(49, currency)
            .SetBinary(52, PinBlock);
        byte[] bytes = new byte[builder.MessageLength];
        builder.WriteMessage(bytes);

        var transaction = new Transaction(null!); // the engine is only needed to resume after journal waits
        ReadOnlyMemory<byte> copy = transaction.LoadRequest(new ReadOnlySequence<byte>(bytes));
        Assert.True(transaction.Request.TryParse(copy, Ascii, out ParseError error), error.ToString());
        transaction.Issuer = issuer;
        transaction.IssuerStan = issuerStan;
        transaction.IssuerRrn = RetrievalReference.Create(new DateTime(2025, 6, 1, 12, 30, 0, DateTimeKind.Utc), issuerStan);
        transaction.Amount = amount;
        return transaction;
    }

    /// <summary>What <paramref name="builder"/> holds, as a parsed message (for tests that feed messages to a component).</summary>
    public static IsoMessage Parsed(IsoMessageBuilder builder)
    {
        byte[] bytes = new byte[builder.MessageLength];
        builder.WriteMessage(bytes);
        var message = new IsoMessage();
        Assert.True(message.TryParse(bytes, builder.Dialect, out ParseError error), error.ToString());
        return message;
    }

    /// <summary>The Forwarded payload the engine would write for <paramref name="transaction"/>.</summary>
    public static byte[] ForwardedPayload(Transaction transaction, PanProtector protector)
    {
        byte[] buffer = new byte[1024];
        int length = ForwardedRecord.Write(transaction, protector, buffer);
        return buffer[..length];
    }

    public static byte[] OutcomePayload(long forwardedSequence, TransactionOutcome outcome, string responseCode, string approvalCode = "")
    {
        byte[] buffer = new byte[64];
        int length = OutcomeRecord.Write(forwardedSequence, outcome, Code(responseCode), System.Text.Encoding.ASCII.GetBytes(approvalCode), buffer);
        return buffer[..length];
    }

    public static byte[] ReversalCompletedPayload(long forwardedSequence, string responseCode)
    {
        byte[] buffer = new byte[16];
        int length = ReversalRecord.Write(forwardedSequence, Code(responseCode), buffer);
        return buffer[..length];
    }

    public static ResponseCode Code(string twoCharacters) => new((byte)twoCharacters[0], (byte)twoCharacters[1]);

    public static JournalOptions JournalOptions(string directory) => new()
    {
        Directory = directory,
        MinFreeBytes = 0,
        SegmentSizeBytes = 1 << 20,
        MaxRecordPayloadBytes = 4096,
        MaxPendingBytes = 256 * 1024,
    };

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PaymentSwitch.sln"))) return dir.FullName;
        throw new InvalidOperationException("PaymentSwitch.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A fresh directory on the real disk, deleted afterwards.</summary>
internal sealed class TempJournalDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("ps-durability-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}
