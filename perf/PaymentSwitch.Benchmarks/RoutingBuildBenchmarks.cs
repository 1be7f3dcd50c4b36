using System.Text.Json;
using BenchmarkDotNet.Attributes;
using PaymentSwitch.Core.Routing;

namespace PaymentSwitch.Benchmarks;

/// <summary>What a reload costs: building a table from routes, and parsing routes.json, at 100,000 and 1,000,000 ranges.</summary>
[MemoryDiagnoser]
public class RoutingBuildBenchmarks
{
    private BinRoute[] _routes = [];
    private byte[] _json = [];

    [Params(100_000, 1_000_000)]
    public int RangeCount { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _routes = RoutingBenchmarkData.Routes(RangeCount);
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            BinRoutesJson.WriteRoutes(writer, _routes);
        }

        _json = buffer.ToArray();
        Console.WriteLine($"// routes.json for {RangeCount} ranges: {_json.Length / (1024 * 1024.0):F1} MiB");
    }

    [Benchmark]
    public int Build() => BinRoutingTable.Build(_routes).SegmentCount;

    [Benchmark]
    public int ParseJson() => BinRoutesJson.Parse(_json).Routes.Count;
}
