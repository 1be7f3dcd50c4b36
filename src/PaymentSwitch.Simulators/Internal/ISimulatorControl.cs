namespace PaymentSwitch.Simulators.Internal;

/// <summary>What the admin endpoint can read and change on a simulator.</summary>
internal interface ISimulatorControl
{
    IssuerLedgerSnapshot Ledger { get; }
    FaultMode Fault { get; }
    void SetFault(FaultMode fault);
    void ResetLedger();
    string? LedgerFilePath { get; }
    Task WriteLedgerFileAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Null when the simulator has no network management (the wallet).</summary>
    bool? AnswerNetworkManagement { get; }
    void SetAnswerNetworkManagement(bool answer);
}
