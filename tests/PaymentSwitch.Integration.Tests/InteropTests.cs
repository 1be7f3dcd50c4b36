using System.Buffers.Binary;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using PaymentSwitch.Integration.Tests.Support;
using PaymentSwitch.Iso8583;
using static PaymentSwitch.Integration.Tests.Support.Requests;

namespace PaymentSwitch.Integration.Tests;

/// <summary>
/// Interoperability with an independent ISO 8583 implementation: the <c>iso_8583</c> npm package (version pinned in
/// tests/interop/package.json, installed by tests/setup.sh) builds requests and parses replies in a real
/// <c>node tests/interop/roundtrip.js</c> process; the bytes go to a running switch over loopback TCP untouched.
/// What the package does differently from <c>iso87-ascii</c>/<c>len2</c> is described in roundtrip.js.
/// </summary>
public class InteropTests
{
    private const int NodeTimeoutMs = 30_000;
    private const int ReplyTimeoutMs = 10_000;
    private static readonly string ScriptRelativePath = Path.Combine("tests", "interop", "roundtrip.js");
    private static readonly string InteropDirectory = Path.Combine(RunningSwitch.RepositoryRoot, "tests", "interop");

    [Fact]
    public async Task Authorisation_built_by_the_iso_8583_package_is_approved_with_its_fields_echoed()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync();
        Dictionary<string, string> sent = AuthorisationFields(CardPan, amountMinor: 1234, stan: 4711);
        byte[] request = await BuildWithPackageAsync(sent);

        // The frame is the package's own: its 2-byte header counts the body, the MTI is ASCII, and its binary
        // bitmap announces a secondary bitmap (bit 1) that is all zeros, which the switch never writes itself.
        Assert.Equal(request.Length - 2, BinaryPrimitives.ReadUInt16BigEndian(request));
        Assert.Equal("0100"u8.ToArray(), request[2..6]);
        Assert.True((request[6] & 0x80) != 0, "the package was expected to set bit 1 (secondary bitmap present)");
        Assert.Equal(new byte[8], request[14..22]);

        byte[] reply = await ExchangeAsync(sw, request);
        IsoMessage answer = ParseWithSwitch(reply);

        Assert.Equal(Mti.AuthorisationResponse, answer.Mti);
        Assert.Equal("00", Text(answer, 39));
        Assert.Equal(6, Text(answer, 38).Length);
        foreach ((string field, string value) in sent)
            Assert.Equal((field, value), (field, Text(answer, int.Parse(field, CultureInfo.InvariantCulture))));
        Assert.Equal(1, sw.Card.Ledger.ApprovedCount);
        Assert.Equal(1234, sw.Card.Ledger.ApprovedAmountMinor);
        Assert.DoesNotContain(CardPan, sw.Logs.All);
    }

    [Fact]
    public async Task The_iso_8583_package_reads_the_switchs_0110_reply()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync();
        Dictionary<string, string> sent = AuthorisationFields(CardPan, amountMinor: 5000, stan: 123456);
        byte[] reply = await ExchangeAsync(sw, await BuildWithPackageAsync(sent));

        Dictionary<string, string> parsed = await ParseWithPackageAsync(reply);

        Assert.Equal("0110", parsed["0"]);
        Assert.Equal("00", parsed["39"]);
        Assert.Equal(sent["11"], parsed["11"]);
        Assert.Equal(sent["37"], parsed["37"]);
        Assert.Equal(sent["41"], parsed["41"]);
        Assert.Equal(sent["4"], parsed["4"]);

        // Field by field, the package sees exactly what the switch's own parser sees in the same bytes.
        IsoMessage answer = ParseWithSwitch(reply);
        var switchView = new Dictionary<string, string> { ["0"] = Mti.ToText(answer.Mti) };
        for (int field = answer.NextField(1); field > 0; field = answer.NextField(field))
            switchView[field.ToString(CultureInfo.InvariantCulture)] = Text(answer, field);
        Assert.Equal(switchView.OrderBy(p => p.Key, StringComparer.Ordinal), parsed.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Unknown_bin_request_built_by_the_iso_8583_package_gets_de39_15()
    {
        await using RunningSwitch sw = await RunningSwitch.StartAsync();
        Dictionary<string, string> sent = AuthorisationFields(UnknownBinPan, amountMinor: 1000, stan: 77);
        byte[] reply = await ExchangeAsync(sw, await BuildWithPackageAsync(sent));

        IsoMessage answer = ParseWithSwitch(reply);
        Assert.Equal(Mti.AuthorisationResponse, answer.Mti);
        Assert.Equal("15", Text(answer, 39));
        Assert.Equal("000077", Text(answer, 11));

        Dictionary<string, string> parsed = await ParseWithPackageAsync(reply);
        Assert.Equal("0110", parsed["0"]);
        Assert.Equal("15", parsed["39"]);
        Assert.Equal("000077", parsed["11"]);
        Assert.Equal(sent["37"], parsed["37"]);
        Assert.Equal(0, sw.Card.Ledger.ApprovedCount + sw.Card.Ledger.DeclinedCount);
        Assert.Equal(0, sw.Wallet.Ledger.ApprovedCount + sw.Wallet.Ledger.DeclinedCount);
    }

    /// <summary>The identifying fields of an 0100 as the package's JSON takes them: field number to text.</summary>
    private static Dictionary<string, string> AuthorisationFields(string pan, long amountMinor, int stan)
    {
        DateTime now = DateTime.UtcNow;
        return new Dictionary<string, string>
        {
            ["2"] = pan,
            ["3"] = "000000",
            ["4"] = amountMinor.ToString("D12", CultureInfo.InvariantCulture),
            ["7"] = now.ToString("MMddHHmmss", CultureInfo.InvariantCulture),
            ["11"] = stan.ToString("D6", CultureInfo.InvariantCulture),
            ["12"] = now.ToString("HHmmss", CultureInfo.InvariantCulture),
            ["13"] = now.ToString("MMdd", CultureInfo.InvariantCulture),
            ["32"] = "12345",
            ["37"] = "RRN" + stan.ToString("D9", CultureInfo.InvariantCulture),
            ["41"] = "TERM0001",
            ["42"] = "MERCHANT0000001",
            ["49"] = "978",
        };
    }

    private static async Task<byte[]> BuildWithPackageAsync(Dictionary<string, string> fields)
    {
        string hex = await RunPackageAsync("build", JsonSerializer.Serialize(fields));
        try
        {
            return Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            Assert.Fail($"roundtrip.js build printed something that is not hex ({hex.Length} characters)");
            throw;
        }
    }

    private static async Task<Dictionary<string, string>> ParseWithPackageAsync(byte[] frame)
    {
        string json = await RunPackageAsync("parse", Convert.ToHexString(frame));
        Dictionary<string, string>? parsed = JsonSerializer.Deserialize<Dictionary<string, string>>(json);
        Assert.NotNull(parsed);
        return parsed;
    }

    /// <summary>
    /// Runs <c>node tests/interop/roundtrip.js {command}</c> from the repository root with <paramref name="input"/> on
    /// stdin and returns its stdout. Fails (never skips) when node or the package is missing.
    /// </summary>
    private static async Task<string> RunPackageAsync(string command, string input)
    {
        string installed = Path.Combine(InteropDirectory, "node_modules", "iso_8583", "package.json");
        if (!File.Exists(installed))
            Assert.Fail($"The iso_8583 npm package is not installed ({installed} is missing). Run `bash tests/setup.sh` from the repository root; it runs `npm ci` in tests/interop.");

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = RunningSwitch.RepositoryRoot,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(ScriptRelativePath);
        start.ArgumentList.Add(command);

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("Process.Start returned null for node");
        }
        catch (Win32Exception e)
        {
            Assert.Fail($"Node.js could not be started ({e.Message}). The interop tests need `node` on PATH and `bash tests/setup.sh` run once.");
            throw;
        }

        using (process)
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();

            using var timeout = new CancellationTokenSource(NodeTimeoutMs);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"node {ScriptRelativePath} {command} did not finish within {NodeTimeoutMs} ms");
            }

            string output = await stdout;
            string errors = await stderr;
            Assert.True(process.ExitCode == 0, $"node {ScriptRelativePath} {command} exited with code {process.ExitCode}: {errors.Trim()}");
            return output.Trim();
        }
    }

    /// <summary>Sends <paramref name="frame"/> as is on a new acquirer connection and returns the reply frame, 2-byte header included.</summary>
    private static async Task<byte[]> ExchangeAsync(RunningSwitch sw, byte[] frame)
    {
        IPEndPoint acquirer = sw.Acquirer;
        using var socket = new Socket(acquirer.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(acquirer);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(frame);

        using var timeout = new CancellationTokenSource(ReplyTimeoutMs);
        var header = new byte[2];
        try
        {
            await stream.ReadExactlyAsync(header, timeout.Token);
            var reply = new byte[2 + BinaryPrimitives.ReadUInt16BigEndian(header)];
            header.CopyTo(reply, 0);
            await stream.ReadExactlyAsync(reply.AsMemory(2), timeout.Token);
            return reply;
        }
        catch (EndOfStreamException)
        {
            Assert.Fail("The switch closed the connection instead of answering the package's frame. Switch log:\n" + sw.Logs.All);
            throw;
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"No complete reply within {ReplyTimeoutMs} ms. Switch log:\n" + sw.Logs.All);
            throw;
        }
    }

    private static IsoMessage ParseWithSwitch(byte[] frame)
    {
        var message = new IsoMessage();
        Assert.True(message.TryParse(frame.AsMemory(2), RunningSwitch.Ascii, out ParseError error), "the switch's own parser rejects its reply: " + error);
        return message;
    }
}
