namespace PaymentSwitch.Core.Authorisation;

/// <summary>What a pooled <see cref="Transaction"/> is carrying to an issuer.</summary>
internal enum TransactionKind : byte
{
    /// <summary>An acquirer's request (authorisation, financial, advice).</summary>
    Authorisation,
    /// <summary>A reversal the switch owes an issuer (0420/0421, or the wallet's reversal call).</summary>
    Reversal,
}
