using System.Text;
using BenchmarkDotNet.Attributes;
using PaymentSwitch.Core.Routing;
using PaymentSwitch.Core.Routing.Internal;

namespace PaymentSwitch.Benchmarks;

/// <summary>
/// One BIN lookup per operation, over 4,096 random 16-digit PANs (about half routed) taken in random order, so
/// the caches see what a switch sees: a different card every time. Floor: 50 ns and 0 B at 100,000 ranges.
/// Baseline: the same key parse followed by <see cref="Array.BinarySearch(long[], long)"/> over the sorted
/// segment starts, the textbook layout; <see cref="ParseKeyOnly"/> is the floor no search can beat.
/// </summary>
[MemoryDiagnoser]
public class RoutingBenchmarks
{
    private const int PanCount = 4_096;
    private const int PanBytes = 16;

    private BinRoutingTable _table = BinRoutingTable.Empty;
    private BinRouter _router = new(BinRoutingTable.Empty);
    private byte[] _pans = [];
    private string[] _panStrings = [];
    private long[] _sortedStarts = [];

    [Params(1_000, 100_000, 1_000_000)]
    public int RangeCount { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        BinRoute[] routes = RoutingBenchmarkData.Routes(RangeCount);
        _table = BinRoutingTable.Build(routes);
        _router = new BinRouter(_table);
        _pans = RoutingBenchmarkData.Pans(routes, PanCount);
        _panStrings = new string[PanCount];
        int hits = 0;
        for (int i = 0; i < PanCount; i++)
        {
            _panStrings[i] = Encoding.ASCII.GetString(_pans, i * PanBytes, PanBytes);
            hits += _table.Lookup(_pans.AsSpan(i * PanBytes, PanBytes)).IsMatch ? 1 : 0;
        }

        _sortedStarts = routes
            .SelectMany(r => new[] { KeyOf(r.Low), KeyOf(r.High) + PanKey.ScaleOf(r.High.Length) })
            .Append(0)
            .Distinct()
            .Order()
            .ToArray();
        Console.WriteLine($"// {RangeCount} routes -> {_table.SegmentCount} segments; {hits * 100 / PanCount}% of the PANs routed");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = PanCount)]
    public int PlainBinarySearch()
    {
        long[] starts = _sortedStarts;
        ReadOnlySpan<byte> pans = _pans;
        int sum = 0;
        for (int offset = 0; offset < pans.Length; offset += PanBytes)
        {
            PanKey.Parse(pans.Slice(offset, PanBytes), out long key);
            int index = Array.BinarySearch(starts, key);
            sum += index < 0 ? ~index : index;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = PanCount)]
    public long ParseKeyOnly()
    {
        ReadOnlySpan<byte> pans = _pans;
        long sum = 0;
        for (int offset = 0; offset < pans.Length; offset += PanBytes)
        {
            PanKey.Parse(pans.Slice(offset, PanBytes), out long key);
            sum += key;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = PanCount)]
    public int LookupBytes()
    {
        BinRoutingTable table = _table;
        ReadOnlySpan<byte> pans = _pans;
        int sum = 0;
        for (int offset = 0; offset < pans.Length; offset += PanBytes)
        {
            sum += table.Lookup(pans.Slice(offset, PanBytes)).IssuerIndex;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = PanCount)]
    public int LookupChars()
    {
        BinRoutingTable table = _table;
        int sum = 0;
        foreach (string pan in _panStrings)
        {
            sum += table.Lookup(pan.AsSpan()).IssuerIndex;
        }

        return sum;
    }

    /// <summary>Through the holder: one volatile read of the current snapshot per lookup, as the pipeline does.</summary>
    [Benchmark(OperationsPerInvoke = PanCount)]
    public int LookupViaRouter()
    {
        BinRouter router = _router;
        ReadOnlySpan<byte> pans = _pans;
        int sum = 0;
        for (int offset = 0; offset < pans.Length; offset += PanBytes)
        {
            sum += router.Lookup(pans.Slice(offset, PanBytes)).IssuerIndex;
        }

        return sum;
    }

    private static long KeyOf(string digits) => long.Parse(digits) * PanKey.ScaleOf(digits.Length);
}
