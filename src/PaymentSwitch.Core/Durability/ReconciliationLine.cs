namespace PaymentSwitch.Core.Durability;

/// <summary>The totals of one group (an issuer, an acquirer's DE32, an MTI, a response code or a currency).</summary>
/// <param name="Key">The group's value, for example <c>card-sim</c>, <c>12345</c>, <c>0100</c>, <c>00</c> or <c>978</c>.</param>
/// <param name="Totals">Its counts and amounts.</param>
public sealed record ReconciliationLine(string Key, ReconciliationTotals Totals);
