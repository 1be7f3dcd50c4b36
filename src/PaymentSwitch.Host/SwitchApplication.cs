using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PaymentSwitch.Core.Configuration;
using PaymentSwitch.Core.Networking;
using PaymentSwitch.Host.Configuration;
using PaymentSwitch.Host.Status;
using PaymentSwitch.Iso8583;

namespace PaymentSwitch.Host;

/// <summary>
/// Runs the switch under the generic host with Kestrel serving the operator endpoint. A bad setting stops the start
/// with a message naming it (exit code 2); anything failing during start-up exits 1 with the reason logged.
/// </summary>
internal static class SwitchApplication
{
    public static async Task<int> RunAsync(string[] args)
    {
        ConfigurationLoader config;
        IReadOnlyDictionary<string, Dialect> dialects;
        try
        {
            config = ConfigurationLoader.Load(args);
            dialects = DialectLoader.LoadDirectory(config.Resolve(config.Options.Dialects));
        }
        catch (Exception ex) when (ex is ConfigurationException or DialectException)
        {
            Console.Error.WriteLine("PaymentSwitch cannot start: " + ex.Message);
            return 2;
        }
        IReadOnlyList<string> errors = SwitchOptionsValidator.Validate(config.Options, [.. dialects.Keys]);
        if (errors.Count > 0)
        {
            Console.Error.WriteLine($"PaymentSwitch cannot start: {errors.Count} setting(s) in {config.ConfigPath} (or its overrides) are wrong:");
            foreach (string error in errors) Console.Error.WriteLine("  " + error);
            return 2;
        }

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(config.Configuration);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
            o.UseUtcTimestamp = true;
        });
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(config.Options.Switch.ShutdownDeadlineMs + 5000));
        builder.WebHost.UseKestrel(k => k.Listen(EndpointAddress.Parse(config.Options.Status.Listen, "Status:Listen")));
        builder.Services.AddSingleton(sp => new SwitchRuntime(config, dialects, sp.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddSingleton<SwitchStartup>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SwitchStartup>()); // the switch starts behind the operator endpoint
        StatusEndpoints.AddStatus(builder.Services); // its metrics are made once the runtime has started

        WebApplication app = builder.Build();
        StatusEndpoints.Map(app, app.Services.GetRequiredService<SwitchRuntime>());
        SwitchStartup startup = app.Services.GetRequiredService<SwitchStartup>();
        // RunAsync disposes the host (its services and loggers included) however it ends, so the last word on a
        // failed or stopped start is written to the console directly.
        try
        {
            await app.RunAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (startup.StartFailure is null)
        {
            return 0; // stopped before the host itself had started
        }
        catch (Exception ex) when (startup.StartFailure is null && ex is ConfigurationException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            return CouldNotStart(ex);
        }
        catch (Exception) when (startup.StartFailure is not null)
        {
            // reported below: the start's failure is the cause
        }
        if (startup.StartFailure is Exception failure)
        {
            return CouldNotStart(failure);
        }
        if (startup.StoppedWhileStarting)
            Console.Out.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} info: PaymentSwitch Stopped while starting: no listener was opened");
        return 0;
    }

    private static int CouldNotStart(Exception reason)
    {
        Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} crit: PaymentSwitch could not start: {reason.Message}");
        return 1;
    }
}
