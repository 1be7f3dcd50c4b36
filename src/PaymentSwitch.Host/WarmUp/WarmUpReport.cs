namespace PaymentSwitch.Host.WarmUp;

/// <summary>What the warm-up did: the traffic it sent, how long it took, and what ended it.</summary>
/// <param name="Answers">Authorisations answered by the throwaway engine.</param>
/// <param name="Approved">Approvals among them (the simulated issuers approve these requests).</param>
/// <param name="Seconds">Wall time from the start of the warm-up to the end of its clean-up.</param>
/// <param name="MethodsCompiled">Methods the JIT compiled while the warm-up traffic ran (every tier counts).</param>
/// <param name="Ending">What ended it.</param>
/// <param name="Problem">Why it could not run or stopped early, or null.</param>
internal sealed record WarmUpReport(long Answers, long Approved, double Seconds, long MethodsCompiled, WarmUpEnding Ending, string? Problem)
{
    public override string ToString() => Problem is not null
        ? $"stopped after {Answers:N0} answers in {Seconds:F1} s: {Problem}"
        : $"{Answers:N0} authorisations ({Approved:N0} approved) through a throwaway engine in {Seconds:F1} s; {MethodsCompiled:N0} methods compiled, " +
          Ending switch
          {
              WarmUpEnding.Settled => "compilation settled",
              WarmUpEnding.JournalLimit => "stopped at its journal's size limit, still compiling",
              _ => "still compiling when the time limit came",
          };
}
