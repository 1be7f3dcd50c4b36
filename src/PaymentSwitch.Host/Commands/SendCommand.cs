using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Core.Networking;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Host.Commands;

/// <summary>
/// <c>send</c>: sends one authorisation to a switch (or issuer) and prints the answer, described with the card
/// number masked. Exit 0 when an answer came (whatever its DE39), 1 on no answer, 2 on bad arguments.
/// </summary>
internal static class SendCommand
{
    private const string Usage = """
        usage: PaymentSwitch send --to HOST:PORT --pan DIGITS --amount MINOR [options]
          --to HOST:PORT       where the switch listens (e.g. 127.0.0.1:5000)
          --pan DIGITS         card number (shown masked)
          --amount MINOR       amount in minor units (1000 = 10.00)
          --currency CODE      ISO 4217 numeric, default 978
          --mti MTI            0100 (default), 0200 or 0800
          --expiry YYMM        DE14
          --terminal ID        DE41, default TERM0001
          --acquirer ID        DE32, default 12345
          --dialect NAME       default iso87-ascii
          --framing NAME       len2 (default) or len4-ascii
          --dialects DIR       dialect folder, default config/dialects (or next to the executable)
          --timeout-ms MS      default 10000
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                return Fail($"unexpected argument '{args[i]}'");
            options[args[i][2..]] = args[++i];
        }
        string[] known = ["to", "pan", "amount", "currency", "mti", "expiry", "terminal", "acquirer", "dialect", "framing", "dialects", "timeout-ms"];
        foreach (string key in options.Keys)
            if (!known.Contains(key)) return Fail($"unknown option --{key}");
        if (!options.TryGetValue("to", out string? to) || !EndpointAddress.TryParse(to, out IPEndPoint? endpoint)) return Fail("--to HOST:PORT is required");
        int mti = options.TryGetValue("mti", out string? m) && int.TryParse(m, out int parsedMti) ? parsedMti : Mti.AuthorisationRequest;
        if (mti is not (Mti.AuthorisationRequest or Mti.FinancialRequest or Mti.NetworkManagementRequest)) return Fail("--mti must be 0100, 0200 or 0800");
        string pan = options.GetValueOrDefault("pan", "");
        if (mti != Mti.NetworkManagementRequest && (pan.Length is < 12 or > 19 || !pan.All(char.IsAsciiDigit))) return Fail("--pan must be 12 to 19 digits");
        long amount = 0;
        if (mti != Mti.NetworkManagementRequest && (!options.TryGetValue("amount", out string? a) || !long.TryParse(a, out amount) || amount < 0 || amount > 999_999_999_999))
            return Fail("--amount must be a whole number of minor units");
        int timeoutMs = options.TryGetValue("timeout-ms", out string? t) && int.TryParse(t, out int parsedTimeout) ? parsedTimeout : 10_000;

        Dialect dialect;
        Framing framing;
        try
        {
            string dialects = options.GetValueOrDefault("dialects") ?? (Directory.Exists("config/dialects") ? "config/dialects" : Path.Combine(AppContext.BaseDirectory, "dialects"));
            dialect = DialectLoader.LoadByName(dialects, options.GetValueOrDefault("dialect", "iso87-ascii"));
            framing = Framing.Parse(options.GetValueOrDefault("framing", "len2"));
        }
        catch (Exception ex) when (ex is DialectException or ArgumentException)
        {
            return Fail(ex.Message);
        }

        DateTime now = DateTime.UtcNow;
        int stan = Random.Shared.Next(1, 999_999);
        var builder = new IsoMessageBuilder(dialect);
        if (mti == Mti.NetworkManagementRequest)
        {
            builder.Reset(mti)
                .SetString(7, now.ToString("MMddHHmmss", System.Globalization.CultureInfo.InvariantCulture))
                .SetNumber(11, stan)
                .SetNumber(70, 301);
        }
        else
        {
            TerminalRequest.Authorisation(builder, mti, System.Text.Encoding.ASCII.GetBytes(pan), amount, stan, now,
                acquirer: options.GetValueOrDefault("acquirer", "12345"), terminal: options.GetValueOrDefault("terminal", "TERM0001"),
                merchant: "MERCHANT0000001", currency: options.GetValueOrDefault("currency", "978"));
            if (options.TryGetValue("expiry", out string? expiry)) builder.SetString(14, expiry);
        }

        var request = new IsoMessage();
        byte[] requestBytes = new byte[builder.MessageLength];
        builder.WriteMessage(requestBytes);
        request.TryParse(requestBytes, dialect, out _);
        Console.WriteLine("Sending to " + endpoint + ":");
        Console.Write(MessageDescriber.Describe(request));

        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = new CancellationTokenSource(timeoutMs);
        try
        {
            await socket.ConnectAsync(endpoint, timeout.Token);
            var stream = new NetworkStream(socket, ownsSocket: false);
            var writer = PipeWriter.Create(stream);
            builder.WriteFrame(writer, framing);
            await writer.FlushAsync(timeout.Token);
            var reader = PipeReader.Create(stream);
            while (true)
            {
                ReadResult result = await reader.ReadAsync(timeout.Token);
                ReadOnlySequence<byte> buffer = result.Buffer;
                FrameStatus status = framing.TryReadFrame(ref buffer, out ReadOnlySequence<byte> frame, out _, out _);
                if (status == FrameStatus.Complete)
                {
                    var reply = new IsoMessage();
                    if (!reply.TryParse(frame.ToArray(), dialect, out ParseError error))
                    {
                        Console.Error.WriteLine("Answer could not be parsed: " + error);
                        return 1;
                    }
                    Console.WriteLine($"Answer in {(DateTime.UtcNow - now).TotalMilliseconds:F1} ms:");
                    Console.Write(MessageDescriber.Describe(reply));
                    Span<byte> rc = stackalloc byte[2];
                    if (reply.TryGetAscii(39, rc, out ReadOnlySpan<byte> code) && ResponseCode.TryRead(code, out ResponseCode responseCode))
                        Console.WriteLine(responseCode.IsApproved ? "APPROVED" : $"DECLINED ({responseCode})");
                    return 0;
                }
                if (status != FrameStatus.Incomplete || result.IsCompleted)
                {
                    Console.Error.WriteLine("The connection closed without an answer.");
                    return 1;
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            Console.Error.WriteLine(ex is OperationCanceledException ? $"No answer within {timeoutMs} ms." : "Could not reach " + endpoint + ": " + ex.Message);
            return 1;
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine("send: " + message);
        Console.Error.WriteLine(Usage);
        return 2;
    }
}
