using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PaymentSwitch.Host.Status;
using PaymentSwitch.Integration.Tests.Support;

namespace PaymentSwitch.Integration.Tests;

/// <summary>
/// The operator endpoint exactly as the host maps it (<see cref="StatusEndpoints"/>), served by Kestrel on a free
/// loopback port in front of an in-process <see cref="RunningSwitch"/>. Its logs go to the switch's captured logs.
/// </summary>
internal sealed class StatusTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StatusTestHost(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        Monitor = app.Services.GetRequiredService<StatusMonitor>();
    }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public StatusMonitor Monitor { get; }

    public static async Task<StatusTestHost> StartAsync(RunningSwitch sw)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(sw.Logs);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddSingleton(sw.Runtime); // already started by RunningSwitch; not hosted here
        StatusEndpoints.AddStatus(builder.Services);
        WebApplication app = builder.Build();
        StatusEndpoints.Map(app, sw.Runtime);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new StatusTestHost(app, new Uri(address));
    }

    /// <summary>A request with (or without) a bearer token.</summary>
    public static HttpRequestMessage Request(HttpMethod method, string path, string? bearer = null, string? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        if (body is not null) request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        return request;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
