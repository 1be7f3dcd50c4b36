using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PaymentSwitch.Simulators.Internal;

/// <summary>
/// A bare Kestrel HTTP/1.1 server for one request handler: no configuration files, no environment variables, no
/// routing middleware; Kestrel's own warnings and errors go to the simulator's logger.
/// </summary>
internal static class KestrelHost
{
    /// <summary>Largest request body accepted (wallet requests are a few hundred bytes).</summary>
    public const int MaxRequestBodyBytes = 64 * 1024;

    /// <summary>Starts serving <paramref name="handler"/> on <paramref name="endPoint"/>; returns the app and the endpoint it bound (port 0 resolved).</summary>
    public static async Task<(WebApplication App, IPEndPoint EndPoint)> StartAsync(IPEndPoint endPoint, RequestDelegate handler, ILogger logger, CancellationToken cancellationToken)
    {
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ForwardingLoggerProvider(logger, LogLevel.Warning));
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.Listen(endPoint);
        });
        WebApplication app = builder.Build();
        app.Run(handler);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        ICollection<string> addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        int port = addresses.Select(a => new Uri(a).Port).First();
        return (app, new IPEndPoint(endPoint.Address, port));
    }

    /// <summary>Passes log events at or above a level to one logger.</summary>
    private sealed class ForwardingLoggerProvider(ILogger target, LogLevel minimum) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Forwarder(target, minimum);

        public void Dispose()
        {
        }

        private sealed class Forwarder(ILogger target, LogLevel minimum) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && target.IsEnabled(logLevel);

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel)) target.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
