namespace PaymentSwitch.Host.WarmUp;

/// <summary>What the warm-up did: the traffic it sent, how long it took, and whether compilation settled.</summary>
/// <param name="Answers">Authorisations answered by the throwaway engine.</param>
/// <param name="Approved">Approvals among them (the simulated issuers approve these requests).</param>
/// <param name="Seconds">Wall time from the start of the warm-up to the end of its clean-up.</param>
/// <param name="MethodsCompiled">Methods the JIT compiled while the warm-up traffic ran (every tier counts).</param>
/// <param name="Settled">True when a quiet period (no compilation while traffic flowed) ended it; false when the time
/// limit did.</param>
/// <param name="Problem">Why the warm-up stopped early, or null.</param>
internal sealed record WarmUpReport(long Answers, long Approved, double Seconds, long MethodsCompiled, bool Settled, string? Problem)
{
    public override string ToString() => Problem is not null
        ? $"stopped after {Answers:N0} answers in {Seconds:F1} s: {Problem}"
        : $"{Answers:N0} authorisations ({Approved:N0} approved) through a throwaway engine in {Seconds:F1} s; {MethodsCompiled:N0} methods compiled, " +
          (Settled ? "compilation settled" : "still compiling when the time limit came");
}
