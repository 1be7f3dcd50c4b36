using System.Text.Json.Serialization;

namespace PaymentSwitch.Simulators.Internal;

/// <summary>Body of <c>POST /v1/authorisations</c> (see WALLET-API.md). Every property is nullable so a missing one is reported by name.</summary>
internal sealed class WalletAuthorisationRequest
{
    public string? IdempotencyKey { get; set; }
    public string? MessageType { get; set; }
    public string? Account { get; set; }
    public string? Expiry { get; set; }
    public long? AmountMinor { get; set; }
    public string? Currency { get; set; }
    public string? ProcessingCode { get; set; }
    public string? MerchantId { get; set; }
    public string? MerchantCategory { get; set; }
    public string? TerminalId { get; set; }
    public string? AcquirerId { get; set; }
    public string? Rrn { get; set; }
    public string? Stan { get; set; }
    public string? TransmissionDateTime { get; set; }
    public string? ApprovalCode { get; set; }
}

/// <summary>Answer of <c>POST /v1/authorisations</c>.</summary>
internal sealed record WalletAuthorisationResponse(
    string Status,
    string ResponseCode,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ApprovalCode,
    string Reason);

/// <summary>Body of <c>POST /v1/reversals</c>.</summary>
internal sealed class WalletReversalRequest
{
    public string? IdempotencyKey { get; set; }
    public string? OriginalIdempotencyKey { get; set; }
    public long? AmountMinor { get; set; }
    public string? Currency { get; set; }
    public string? Reason { get; set; }
}

/// <summary>Answer of <c>POST /v1/reversals</c>.</summary>
internal sealed record WalletReversalResponse(string Status, string ResponseCode);

/// <summary>Body of every 4xx answer.</summary>
internal sealed record ErrorBody(string Error);

/// <summary>Answer of the admin fault endpoints.</summary>
internal sealed record FaultBody(string Mode);

/// <summary>Answer of <c>POST /ledger/save</c>.</summary>
internal sealed record LedgerSavedBody(string Path, IssuerLedgerSnapshot Ledger);

/// <summary>Answer of <c>POST /network-management</c>.</summary>
internal sealed record NetworkManagementBody(bool Answer);

/// <summary>Source-generated JSON for every body the simulators read or write: camelCase, strict (unknown or duplicate properties are errors).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    AllowDuplicateProperties = false,
    WriteIndented = false)]
[JsonSerializable(typeof(WalletAuthorisationRequest))]
[JsonSerializable(typeof(WalletAuthorisationResponse))]
[JsonSerializable(typeof(WalletReversalRequest))]
[JsonSerializable(typeof(WalletReversalResponse))]
[JsonSerializable(typeof(IssuerLedgerSnapshot))]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(FaultBody))]
[JsonSerializable(typeof(LedgerSavedBody))]
[JsonSerializable(typeof(NetworkManagementBody))]
internal sealed partial class SimulatorJson : JsonSerializerContext;
