namespace PaymentSwitch.Integration.Tests.Support;

/// <summary>
/// A switch configuration file for a real switch process with its simulators embedded, on the given loopback ports:
/// routes 476173 to the card issuer and 627 to the wallet issuer.
/// </summary>
internal static class EmbeddedSwitchConfig
{
    public static string Write(string directory, int acquirer, int status, int card, int wallet)
    {
        string dialects = RunningSwitch.DialectDirectory.Replace("\\", "/");
        File.WriteAllText(Path.Combine(directory, "routes.json"), """[ { "Prefix": "476173", "Issuer": "card-sim" }, { "Prefix": "627", "Issuer": "wallet-sim" } ]""");
        string path = Path.Combine(directory, "switch.json");
        File.WriteAllText(path, $$"""
            {
              "Acquirers": [ { "Name": "pos", "Listen": "127.0.0.1:{{acquirer}}" } ],
              "Issuers": [
                { "Id": "card-sim", "Kind": "card", "Endpoints": [ "127.0.0.1:{{card}}" ], "Connections": 2, "TimeoutMs": 2000 },
                { "Id": "wallet-sim", "Kind": "wallet", "BaseUrl": "http://127.0.0.1:{{wallet}}", "TimeoutMs": 2000 }
              ],
              "Routes": { "File": "routes.json" },
              "Dialects": "{{dialects}}",
              "Journal": { "Directory": "journal" },
              "Status": { "Listen": "127.0.0.1:{{status}}" },
              "Simulators": { "Embedded": true, "CardListen": "127.0.0.1:{{card}}", "WalletListen": "127.0.0.1:{{wallet}}" }
            }
            """);
        return path;
    }
}
