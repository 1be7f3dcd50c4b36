namespace PaymentSwitch.Host.WarmUp;

/// <summary>What ended a warm-up.</summary>
internal enum WarmUpEnding
{
    /// <summary>Compilation settled while approvals flowed: the path is warm.</summary>
    Settled,

    /// <summary><c>Switch:WarmUpMaxSeconds</c> came first: warmer than cold, maybe not fully warm.</summary>
    TimeLimit,

    /// <summary>Its throwaway journal reached <see cref="SwitchWarmUp.MaxJournalBytes"/> first.</summary>
    JournalLimit,

    /// <summary>It could not run or stopped early (<see cref="WarmUpReport.Problem"/> says why), or the start was cancelled.</summary>
    Failed,
}
