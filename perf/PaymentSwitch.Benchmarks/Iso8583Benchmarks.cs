using System.Buffers;
using BenchmarkDotNet.Attributes;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Benchmarks;

/// <summary>
/// Parse and build of a typical 0100 (DE 2, 3, 4, 7, 11, 12, 13, 14, 18, 22, 25, 32, 35, 37, 41, 42, 43, 49, 52, 55)
/// and its 0110, in both shipped dialects. Floors: parse ≤ 300 ns, build ≤ 300 ns, 0 bytes allocated.
/// </summary>
[MemoryDiagnoser]
public class Iso8583Benchmarks
{
    private readonly IsoMessage _message = new();
    private IsoMessageBuilder _builder = null!;
    private Dialect _dialect = null!;
    private byte[] _request = null!;
    private byte[] _response = null!;
    private byte[] _output = null!;
    private readonly ArrayBufferWriter<byte> _writer = new(4096);
    private static readonly Framing Len2 = new(FrameHeader.Len2);

    [Params("iso87-ascii", "iso87-bcd")]
    public string Dialect { get; set; } = "iso87-ascii";

    [GlobalSetup]
    public void Setup()
    {
        _dialect = DialectLoader.LoadByName(BenchmarkPaths.Dialects, Dialect);
        _builder = new IsoMessageBuilder(_dialect);
        BuildRequest(_builder);
        _request = new byte[_builder.MessageLength];
        _builder.WriteMessage(_request);
        BuildResponse(_builder);
        _response = new byte[_builder.MessageLength];
        _builder.WriteMessage(_response);
        _output = new byte[4096];
        if (!_message.TryParse(_request, _dialect, out ParseError e) || !_message.TryParse(_response, _dialect, out e))
            throw new InvalidOperationException(e.ToString());
    }

    private static readonly byte[] Pan = "4761739001010010"u8.ToArray();
    private static readonly byte[] Track2 = "4761739001010010=25121010000012300000"u8.ToArray();
    private static readonly byte[] Pin = [0x1A, 0x2B, 0x3C, 0x4D, 0x5E, 0x6F, 0x70, 0x81];
    private static readonly byte[] Emv = Convert.FromHexString("9F02060000000010005F2A0209789F1A0209788202198095050000000000" +
        "9A032611229C01009F37045A3B2C1D9F2608A1B2C3D4E5F607189F2701809F100706010A03A000009F360200019F3303E0F0C8");
    private static readonly byte[] Name = "PAYMENTSWITCH TEST MERCHANT   LONDON   GB"u8[..40].ToArray();

    private static void BuildRequest(IsoMessageBuilder b) => b.Reset(100)
        .SetAscii(2, Pan).SetNumber(3, 0).SetNumber(4, 1000).SetAscii(7, "1122103000"u8).SetNumber(11, 123456)
        .SetAscii(12, "103000"u8).SetAscii(13, "1122"u8).SetAscii(14, "2512"u8).SetAscii(18, "5411"u8).SetAscii(22, "051"u8)
        .SetAscii(25, "00"u8).SetAscii(32, "12345"u8).SetAscii(35, Track2).SetAscii(37, "632612345678"u8).SetAscii(41, "TERM0001"u8)
        .SetAscii(42, "MERCHANT0000001"u8).SetAscii(43, Name).SetAscii(49, "978"u8).SetBinary(52, Pin).SetBinary(55, Emv);

    private static void BuildResponse(IsoMessageBuilder b) => b.Reset(110)
        .SetAscii(2, Pan).SetNumber(3, 0).SetNumber(4, 1000).SetAscii(7, "1122103000"u8).SetNumber(11, 123456)
        .SetAscii(12, "103000"u8).SetAscii(13, "1122"u8).SetAscii(32, "12345"u8).SetAscii(37, "632612345678"u8)
        .SetAscii(38, "A1B2C3"u8).SetAscii(39, "00"u8).SetAscii(41, "TERM0001"u8).SetAscii(42, "MERCHANT0000001"u8).SetAscii(49, "978"u8);

    [Benchmark]
    public bool Parse0100() => _message.TryParse(_request, _dialect, out _);

    [Benchmark]
    public bool Parse0110() => _message.TryParse(_response, _dialect, out _);

    [Benchmark]
    public int Build0100()
    {
        BuildRequest(_builder);
        return _builder.WriteMessage(_output);
    }

    [Benchmark]
    public int Build0110()
    {
        BuildResponse(_builder);
        return _builder.WriteMessage(_output);
    }

    private static ReadOnlySpan<byte> EchoFields => [2, 3, 4, 7, 11, 12, 13, 32, 37, 41, 42, 49];

    /// <summary>
    /// The 0110 as the switch builds it: the identity fields copied from the parsed 0100, then DE38 and DE39.
    /// </summary>
    [Benchmark]
    public int Build0110FromRequest()
    {
        _message.TryParse(_request, _dialect, out _);
        _builder.Reset(110).CopyFrom(_message, EchoFields).SetAscii(38, "A1B2C3"u8).SetAscii(39, "00"u8);
        return _builder.WriteMessage(_output);
    }

    /// <summary>The 0100 as the switch forwards it: every field copied from the parsed request, its own STAN set.</summary>
    [Benchmark]
    public int Build0100FromRequest()
    {
        _message.TryParse(_request, _dialect, out _);
        _builder.Reset(100);
        for (int field = _message.NextField(1); field > 0; field = _message.NextField(field))
            if (field != 11) _builder.TryCopy(_message, field);
        _builder.SetNumber(11, 654321);
        return _builder.WriteMessage(_output);
    }

    /// <summary>Build the 0110 framed straight into a buffer writer, as the switch writes into a connection.</summary>
    [Benchmark]
    public int Build0110IntoBufferWriter()
    {
        _writer.ResetWrittenCount();
        BuildResponse(_builder);
        return _builder.WriteFrame(_writer, Len2);
    }
}
