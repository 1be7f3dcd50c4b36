using PaymentSwitch.Core.Authorisation;

namespace PaymentSwitch.Core.Metrics;

/// <summary>Answers sent for one issuer with one response code, since the metrics started.</summary>
/// <param name="IssuerId">The issuer's id, or <see cref="SwitchMetrics.SwitchAnsweredLabel"/>.</param>
/// <param name="Code">DE39 of the answers.</param>
/// <param name="Count">How many.</param>
public readonly record struct IssuerAnswerCount(string IssuerId, ResponseCode Code, long Count);
