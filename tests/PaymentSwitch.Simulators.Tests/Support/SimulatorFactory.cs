using System.Net;
using Microsoft.Extensions.Logging;

namespace PaymentSwitch.Simulators.Tests.Support;

/// <summary>Starts simulators on loopback, port 0.</summary>
internal static class SimulatorFactory
{
    public static async Task<CardIssuerSimulator> StartCardAsync(Action<CardIssuerSimulatorOptions>? configure = null, ILogger? logger = null)
    {
        var options = new CardIssuerSimulatorOptions { ListenEndPoint = new IPEndPoint(IPAddress.Loopback, 0), Dialect = TestDialects.Ascii };
        configure?.Invoke(options);
        var simulator = new CardIssuerSimulator(options, logger);
        await simulator.StartAsync();
        return simulator;
    }

    public static async Task<WalletIssuerSimulator> StartWalletAsync(Action<WalletIssuerSimulatorOptions>? configure = null, ILogger? logger = null)
    {
        var options = new WalletIssuerSimulatorOptions { ListenEndPoint = new IPEndPoint(IPAddress.Loopback, 0) };
        configure?.Invoke(options);
        var simulator = new WalletIssuerSimulator(options, logger);
        await simulator.StartAsync();
        return simulator;
    }

    public static Task<IsoTestClient> ConnectAsync(this CardIssuerSimulator simulator)
        => IsoTestClient.ConnectAsync(simulator.EndPoint!, simulator.Framing);

    public static HttpClient HttpClient(this WalletIssuerSimulator simulator, int timeoutMs = 10_000)
        => new() { BaseAddress = simulator.BaseAddress, Timeout = TimeSpan.FromMilliseconds(timeoutMs) };
}
