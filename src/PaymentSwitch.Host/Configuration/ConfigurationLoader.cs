using Microsoft.Extensions.Configuration;
using PaymentSwitch.Core.Configuration;

namespace PaymentSwitch.Host.Configuration;

/// <summary>
/// The configuration stack: the JSON file (<c>--config FILE</c>, default <c>config/switch.json</c>), then environment
/// variables prefixed <c>PAYMENTSWITCH_</c> (<c>PAYMENTSWITCH_Issuers__0__TimeoutMs=500</c>), then the command line
/// (<c>--Issuers:0:TimeoutMs=500</c>). Relative paths in settings resolve against the config file's directory.
/// </summary>
internal sealed class ConfigurationLoader
{
    public const string DefaultConfigPath = "config/switch.json";

    private ConfigurationLoader(string configPath, IConfigurationRoot configuration, SwitchOptions options)
    {
        ConfigPath = configPath;
        ConfigDirectory = Path.GetDirectoryName(configPath)!;
        Configuration = configuration;
        Options = options;
    }

    public string ConfigPath { get; }
    public string ConfigDirectory { get; }
    public IConfigurationRoot Configuration { get; }
    public SwitchOptions Options { get; }

    /// <summary>Resolves a path setting against the config file's directory.</summary>
    public string Resolve(string path) => Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(ConfigDirectory, path));

    /// <summary>Loads the stack; throws <see cref="ConfigurationException"/> naming the file or setting on error.</summary>
    public static ConfigurationLoader Load(string[] args)
    {
        string configPath = Path.GetFullPath(FindConfigArgument(args) ?? DefaultConfigPath);
        if (!File.Exists(configPath))
            throw new ConfigurationException($"Configuration file '{configPath}' not found. Run from the repository root, or pass --config FILE.");
        IConfigurationRoot configuration;
        try
        {
            configuration = new ConfigurationBuilder()
                .AddJsonFile(configPath, optional: false, reloadOnChange: false)
                .AddEnvironmentVariables("PAYMENTSWITCH_")
                .AddCommandLine(WithoutConfigArgument(args))
                .Build();
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or System.Text.Json.JsonException)
        {
            throw new ConfigurationException($"{configPath}: {ex.Message}");
        }
        SwitchOptions options = new();
        try
        {
            configuration.Bind(options, o => o.ErrorOnUnknownConfiguration = false);
        }
        catch (InvalidOperationException ex)
        {
            throw new ConfigurationException($"{configPath}: {ex.Message}");
        }
        return new ConfigurationLoader(configPath, configuration, options);
    }

    private static string? FindConfigArgument(string[] args)
    {
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--config" && i + 1 < args.Length) return args[i + 1];
            if (args[i].StartsWith("--config=", StringComparison.Ordinal)) return args[i]["--config=".Length..];
        }
        return null;
    }

    private static string[] WithoutConfigArgument(string[] args)
    {
        var rest = new List<string>(args.Length);
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--config") { i++; continue; }
            if (args[i].StartsWith("--config=", StringComparison.Ordinal)) continue;
            rest.Add(args[i]);
        }
        return [.. rest];
    }
}

/// <summary>The configuration is missing or wrong; the message names the file or setting.</summary>
internal sealed class ConfigurationException(string message) : Exception(message);
