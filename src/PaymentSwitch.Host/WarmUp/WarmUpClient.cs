using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using PaymentSwitch.Core.Authorisation;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Host.WarmUp;

/// <summary>
/// Terminal traffic for the warm-up: one loopback connection to a throwaway listener, sending authorisations
/// (0100, every fourth a 0200) in bursts of at most <see cref="MaxBurst"/> (never more than the listener lets one
/// connection have in flight) and reading as many answers before the next burst.
/// Card numbers start with the given BIN prefixes in turn, so that every issuer kind of the warm-up engine is used.
/// Counts answers and approvals; never touches anything outside the warm-up.
/// </summary>
internal sealed class WarmUpClient
{
    /// <summary>Requests per burst at most.</summary>
    public const int MaxBurst = 32;

    private readonly int _burst;

    private readonly IPEndPoint _endPoint;
    private readonly Dialect _dialect;
    private readonly Framing _framing;
    private readonly string _terminal;
    private readonly string[] _binPrefixes;
    private long _answers;
    private long _approved;

    public WarmUpClient(IPEndPoint endPoint, Dialect dialect, Framing framing, int index, IReadOnlyList<string> binPrefixes, int burst)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        _burst = Math.Min(burst, MaxBurst);
        _endPoint = endPoint;
        _dialect = dialect;
        _framing = framing;
        _terminal = "WARMUP" + index.ToString("D2", CultureInfo.InvariantCulture);
        _binPrefixes = [.. binPrefixes];
    }

    /// <summary>Answers received so far (read from any thread).</summary>
    public long Answers => Volatile.Read(ref _answers);

    /// <summary>Approvals (DE39 00) among them.</summary>
    public long Approved => Volatile.Read(ref _approved);

    /// <summary>
    /// Sends bursts until <paramref name="stop"/> is cancelled. A burst whose answers do not all arrive within
    /// <paramref name="answerTimeout"/> ends the run with <see cref="TimeoutException"/>.
    /// </summary>
    public async Task RunAsync(TimeSpan answerTimeout, CancellationToken stop)
    {
        using var socket = new Socket(_endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(_endPoint, stop).ConfigureAwait(false);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        PipeWriter writer = PipeWriter.Create(stream);
        PipeReader reader = PipeReader.Create(stream);
        var builder = new IsoMessageBuilder(_dialect);
        var answer = new IsoMessage();
        int stan = 0;
        long sent = 0;
        while (!stop.IsCancellationRequested)
        {
            DateTime now = DateTime.UtcNow;
            for (int i = 0; i < _burst; i++)
            {
                stan = stan % 999_999 + 1;
                Build(builder, now, stan, sent++);
                builder.WriteFrame(writer, _framing);
            }

            await writer.FlushAsync(stop).ConfigureAwait(false);
            using var burstTimeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
            burstTimeout.CancelAfter(answerTimeout);
            try
            {
                await ReadAnswersAsync(reader, answer, _burst, burstTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
            {
                throw new TimeoutException($"a burst of {_burst} warm-up authorisations was not answered within {answerTimeout.TotalMilliseconds:F0} ms");
            }
        }

        await writer.CompleteAsync().ConfigureAwait(false);
        await reader.CompleteAsync().ConfigureAwait(false);
    }

    private void Build(IsoMessageBuilder builder, DateTime now, int stan, long sequence)
    {
        string prefix = _binPrefixes[(int)(sequence % _binPrefixes.Length)];
        Span<byte> pan = stackalloc byte[16];
        for (int i = 0; i < prefix.Length; i++) pan[i] = (byte)prefix[i];
        // The account part varies with the STAN, so the issuers see many cards; the last digit makes it Luhn-valid.
        long account = stan * 7919L;
        for (int i = 14; i >= prefix.Length; i--)
        {
            pan[i] = (byte)('0' + (int)(account % 10));
            account /= 10;
        }
        pan[15] = Luhn.CheckDigit(pan[..15]);

        TerminalRequest.Authorisation(builder, sequence % 4 == 3 ? Mti.FinancialRequest : Mti.AuthorisationRequest, pan, 100 + (stan % 5000), stan, now,
                acquirer: "000001", terminal: _terminal, merchant: "WARMUP000000001", currency: "978")
            .SetString(14, now.AddYears(2).ToString("yyMM", CultureInfo.InvariantCulture));
    }

    private async Task ReadAnswersAsync(PipeReader reader, IsoMessage answer, int expected, CancellationToken cancellationToken)
    {
        int received = 0;
        while (received < expected)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            while (received < expected && _framing.TryReadFrame(ref buffer, out ReadOnlySequence<byte> frame, out _, out _) == FrameStatus.Complete)
            {
                received++;
                Interlocked.Increment(ref _answers);
                if (answer.TryParse(frame.ToArray(), _dialect, out _) && IsApproval(answer))
                    Interlocked.Increment(ref _approved);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted && received < expected)
                throw new IOException("the warm-up listener closed the connection");
        }
    }

    private static bool IsApproval(IsoMessage answer)
    {
        Span<byte> buffer = stackalloc byte[2];
        return answer.TryGetAscii(39, buffer, out ReadOnlySpan<byte> code) && ResponseCode.TryRead(code, out ResponseCode rc) && rc.IsApproved;
    }
}
