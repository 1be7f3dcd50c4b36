namespace PaymentSwitch.LoadTest;

/// <summary>How the harness behaves on its connections.</summary>
public enum LoadTestMode
{
    /// <summary>
    /// Terminals: every connection is one terminal with at most one request in flight. With a rate, each terminal
    /// follows an open-loop schedule (rate / connections); without one, it sends its next request a think time after
    /// the previous answer (closed loop).
    /// </summary>
    Terminals,

    /// <summary>Acquirer hosts: few connections, many requests pipelined on each, a target rate spread over them.</summary>
    Acquirer,
}
