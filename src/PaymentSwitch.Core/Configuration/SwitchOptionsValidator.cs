using PaymentSwitch.Core.Networking;

namespace PaymentSwitch.Core.Configuration;

/// <summary>
/// Checks a <see cref="SwitchOptions"/> before anything starts. Every problem is reported as
/// <c>Setting:Path: what is wrong</c> so the operator can fix the named setting.
/// </summary>
public static class SwitchOptionsValidator
{
    public static IReadOnlyList<string> Validate(SwitchOptions options, IReadOnlyCollection<string> dialectNames)
    {
        var errors = new List<string>();
        void Range(string name, long value, long min, long max)
        {
            if (value < min || value > max) errors.Add($"{name}: must be {min}..{max} (is {value}).");
        }
        void Dialect(string name, string value)
        {
            if (!dialectNames.Contains(value, StringComparer.OrdinalIgnoreCase))
                errors.Add($"{name}: unknown dialect '{value}' (known: {string.Join(", ", dialectNames)}).");
        }
        void Framing(string name, string value)
        {
            if (value is not ("len2" or "len4-ascii")) errors.Add($"{name}: '{value}' is not a framing (len2 or len4-ascii).");
        }
        void Tls(string name, TlsOptions tls, bool server)
        {
            if (!tls.Enabled) return;
            Range($"{name}:HandshakeTimeoutMs", tls.HandshakeTimeoutMs, 100, 120_000);
            if (server && string.IsNullOrWhiteSpace(tls.CertificateFile))
                errors.Add($"{name}:CertificateFile: a TLS listener needs its server certificate (PEM or PFX).");
            if (!string.IsNullOrWhiteSpace(tls.KeyFile) && string.IsNullOrWhiteSpace(tls.CertificateFile))
                errors.Add($"{name}:KeyFile: is set but {name}:CertificateFile is not.");
            if (!server && tls.RequireClientCertificate)
                errors.Add($"{name}:RequireClientCertificate: applies to acquirer listeners only; an issuer link presents CertificateFile instead.");
            if (server && tls.RequireClientCertificate && string.IsNullOrWhiteSpace(tls.TrustedCaFile))
                errors.Add($"{name}:TrustedCaFile: client certificates are required, so they must chain to a CA named here; without it any publicly trusted certificate would be accepted.");
        }
        void Breaker(string name, CircuitBreakerOptions b)
        {
            if (!b.Enabled) return;
            Range($"{name}:ConsecutiveFailures", b.ConsecutiveFailures, 1, 1_000_000);
            Range($"{name}:FailureRatePercent", b.FailureRatePercent, 1, 100);
            Range($"{name}:MinimumRequests", b.MinimumRequests, 1, 1_000_000);
            Range($"{name}:WindowMs", b.WindowMs, 1000, 60_000);
            Range($"{name}:OpenMs", b.OpenMs, 10, 3_600_000);
        }
        void StandIn(string name, StandInOptions si)
        {
            if (!si.Enabled) return;
            Range($"{name}:MaxAmountMinor", si.MaxAmountMinor, 1, long.MaxValue);
            Range($"{name}:MaxDailyAmountPerCardMinor", si.MaxDailyAmountPerCardMinor, si.MaxAmountMinor, long.MaxValue);
            Range($"{name}:MaxTrackedCards", si.MaxTrackedCards, 1, 100_000_000);
            if (si.Currencies.Count == 0) errors.Add($"{name}:Currencies: stand-in needs at least one currency (DE49, e.g. 978).");
        }

        if (string.IsNullOrWhiteSpace(options.Switch.InstitutionId) || options.Switch.InstitutionId.Length > 11 || !options.Switch.InstitutionId.All(char.IsAsciiDigit))
            errors.Add($"Switch:InstitutionId: must be 1..11 digits (is '{options.Switch.InstitutionId}').");
        Range("Switch:MaxInFlight", options.Switch.MaxInFlight, 1, 10_000_000);

        if (options.Acquirers.Count == 0) errors.Add("Acquirers: at least one listener is needed.");
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < options.Acquirers.Count; i++)
        {
            AcquirerOptions a = options.Acquirers[i];
            string p = $"Acquirers:{i}";
            if (string.IsNullOrWhiteSpace(a.Name) || !names.Add(a.Name)) errors.Add($"{p}:Name: must be set and unique (is '{a.Name}').");
            if (!EndpointAddress.TryParse(a.Listen, out _)) errors.Add($"{p}:Listen: '{a.Listen}' is not an address:port.");
            Dialect($"{p}:Dialect", a.Dialect);
            Framing($"{p}:Framing", a.Framing);
            Range($"{p}:MaxFrameBytes", a.MaxFrameBytes, 64, a.Framing == "len4-ascii" ? 9999 : 65535);
            Range($"{p}:Backlog", a.Backlog, 1, 65535);
            Range($"{p}:MaxConnections", a.MaxConnections, 1, 1_000_000);
            Range($"{p}:MaxInFlightPerConnection", a.MaxInFlightPerConnection, 1, 1_000_000);
            Range($"{p}:ReceivePauseBytes", a.ReceivePauseBytes, a.MaxFrameBytes * 2L, 64L * 1024 * 1024);
            Range($"{p}:MaxWriteBufferBytes", a.MaxWriteBufferBytes, 64 * 1024, 256L * 1024 * 1024);
            Range($"{p}:MaxConnectionsPerSource", a.MaxConnectionsPerSource, 1, 1_000_000); // above MaxConnections it simply never binds
            if (a.IdleTimeoutMs != 0) Range($"{p}:IdleTimeoutMs", a.IdleTimeoutMs, 100, 86_400_000);
            Range($"{p}:FrameTimeoutMs", a.FrameTimeoutMs, 10, 3_600_000);
            Tls($"{p}:Tls", a.Tls, server: true);
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < options.Issuers.Count; i++)
        {
            IssuerOptions s = options.Issuers[i];
            string p = $"Issuers:{i}";
            if (string.IsNullOrWhiteSpace(s.Id) || !ids.Add(s.Id)) errors.Add($"{p}:Id: must be set and unique (is '{s.Id}').");
            Range($"{p}:TimeoutMs", s.TimeoutMs, 10, 120_000);
            Range($"{p}:MaxInFlight", s.MaxInFlight, 1, 500_000);
            Breaker($"{p}:CircuitBreaker", s.CircuitBreaker);
            StandIn($"{p}:StandIn", s.StandIn);
            switch (s.Kind)
            {
                case "card":
                    if (s.Endpoints.Count == 0) errors.Add($"{p}:Endpoints: a card issuer needs at least one host:port.");
                    for (int e = 0; e < s.Endpoints.Count; e++)
                        if (!EndpointAddress.TryParse(s.Endpoints[e], out _)) errors.Add($"{p}:Endpoints:{e}: '{s.Endpoints[e]}' is not an address:port.");
                    Dialect($"{p}:Dialect", s.Dialect);
                    Framing($"{p}:Framing", s.Framing);
                    Range($"{p}:Connections", s.Connections, 1, 256);
                    Range($"{p}:EchoIntervalMs", s.EchoIntervalMs, 100, 3_600_000);
                    Range($"{p}:ReconnectInitialMs", s.ReconnectInitialMs, 1, 60_000);
                    Range($"{p}:ReconnectMaxMs", s.ReconnectMaxMs, s.ReconnectInitialMs, 600_000);
                    Range($"{p}:SignOnTimeoutMs", s.SignOnTimeoutMs, 10, 120_000);
                    Range($"{p}:MaxFrameBytes", s.MaxFrameBytes, 64, s.Framing == "len4-ascii" ? 9999 : 65535);
                    Range($"{p}:MaxWriteBufferBytes", s.MaxWriteBufferBytes, Math.Max(64 * 1024, s.MaxFrameBytes * 2L), 256L * 1024 * 1024);
                    Tls($"{p}:Tls", s.Tls, server: false);
                    break;
                case "wallet":
                    if (!Uri.TryCreate(s.BaseUrl, UriKind.Absolute, out Uri? uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
                        errors.Add($"{p}:BaseUrl: '{s.BaseUrl}' is not an http(s) address.");
                    Range($"{p}:MaxHttpConnections", s.MaxHttpConnections, 1, 10_000);
                    if (s.Tls.Enabled) errors.Add($"{p}:Tls:Enabled: applies to card issuers; a wallet issuer uses TLS through an https BaseUrl.");
                    break;
                default:
                    errors.Add($"{p}:Kind: '{s.Kind}' is not an issuer kind (card or wallet).");
                    break;
            }
        }

        Range("Switch:RecentTransactions", options.Switch.RecentTransactions, 1024, 16_000_000);
        Range("Switch:ShutdownDeadlineMs", options.Switch.ShutdownDeadlineMs, 100, 600_000);
        Range("Switch:DuplicateWindowSeconds", options.Switch.DuplicateWindowSeconds, 1, 7 * 24 * 3600);
        Range("Switch:WarmUpMaxSeconds", options.Switch.WarmUpMaxSeconds, 0, 300);
        JournalSettings j = options.Journal;
        if (string.IsNullOrWhiteSpace(j.Directory)) errors.Add("Journal:Directory: must name the journal folder.");
        if (!JournalSettings.TryParseDurability(j.Durability, out _))
            errors.Add($"Journal:Durability: '{j.Durability}' is not a mode (strict, batched, or none for measurement only).");
        else if (j.Durability == "none" && !j.AllowUnsafeNone)
            errors.Add("Journal:Durability: 'none' loses approvals on a crash; it is refused unless Journal:AllowUnsafeNone=true is also set (measurement only).");
        Range("Journal:BatchedWindowMs", j.BatchedWindowMs, 1, 1000);
        Range("Journal:InlineCompletionMax", j.InlineCompletionMax, 0, 32);
        Range("Journal:SegmentSizeBytes", j.SegmentSizeBytes, 1024 * 1024, 1L << 30); // the journal's own limit
        Range("Journal:MinFreeBytes", j.MinFreeBytes, 0, long.MaxValue);
        if (!(j.RetentionHours is >= 0 and <= 1_000_000))
            errors.Add($"Journal:RetentionHours: must be 0..1000000 hours (is {j.RetentionHours}).");
        if (string.IsNullOrWhiteSpace(options.Routes.File)) errors.Add("Routes:File: must name the routes file.");
        if (!EndpointAddress.TryParse(options.Status.Listen, out _)) errors.Add($"Status:Listen: '{options.Status.Listen}' is not an address:port.");
        if (options.Simulators.Embedded)
        {
            if (!EndpointAddress.TryParse(options.Simulators.CardListen, out _)) errors.Add($"Simulators:CardListen: '{options.Simulators.CardListen}' is not an address:port.");
            if (!EndpointAddress.TryParse(options.Simulators.WalletListen, out _)) errors.Add($"Simulators:WalletListen: '{options.Simulators.WalletListen}' is not an address:port.");
        }
        return errors;
    }
}
