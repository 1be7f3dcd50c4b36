using Microsoft.Extensions.Logging;
using PaymentSwitch.Core.Configuration;
using PaymentSwitch.Core.Networking;
using PaymentSwitch.Iso8583;
using PaymentSwitch.Simulators;

namespace PaymentSwitch.Host;

/// <summary>
/// The simulated card and wallet issuers started inside the host (<c>Simulators:Embedded</c>), so the first run works
/// with nothing else installed. They listen on their own ports exactly as the standalone simulators do.
/// </summary>
internal sealed class EmbeddedSimulators : IAsyncDisposable
{
    private readonly CardIssuerSimulator _card;
    private readonly WalletIssuerSimulator _wallet;

    private EmbeddedSimulators(CardIssuerSimulator card, WalletIssuerSimulator wallet)
    {
        _card = card;
        _wallet = wallet;
    }

    public static async Task<IAsyncDisposable> StartAsync(SimulatorsOptions options, IReadOnlyDictionary<string, Dialect> dialects, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var card = new CardIssuerSimulator(new CardIssuerSimulatorOptions
        {
            ListenEndPoint = EndpointAddress.Parse(options.CardListen, "Simulators:CardListen"),
            Dialect = dialects[options.CardDialect],
            FramingName = options.CardFraming,
            LatencyMs = options.LatencyMs,
        }, loggers.CreateLogger("PaymentSwitch.Simulators.Card"));
        var wallet = new WalletIssuerSimulator(new WalletIssuerSimulatorOptions
        {
            ListenEndPoint = EndpointAddress.Parse(options.WalletListen, "Simulators:WalletListen"),
            LatencyMs = options.LatencyMs,
        }, loggers.CreateLogger("PaymentSwitch.Simulators.Wallet"));
        try
        {
            await card.StartAsync(cancellationToken).ConfigureAwait(false);
            await wallet.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Neither is handed out, so neither would be closed by anyone else (a busy wallet port, a stop meanwhile).
            await card.DisposeAsync().ConfigureAwait(false);
            await wallet.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new EmbeddedSimulators(card, wallet);
    }

    public async ValueTask DisposeAsync()
    {
        await _card.DisposeAsync().ConfigureAwait(false);
        await _wallet.DisposeAsync().ConfigureAwait(false);
    }
}
