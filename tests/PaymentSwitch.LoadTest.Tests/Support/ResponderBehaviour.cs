namespace PaymentSwitch.LoadTest.Tests.Support;

/// <summary>How the test responder misbehaves (all off by default: it answers like the switch).</summary>
public sealed class ResponderBehaviour
{
    /// <summary>BINs the responder knows (approves with 00); every other card number gets 15.</summary>
    public string[] KnownBins { get; init; } = ["476173", "510000"];

    /// <summary>Answer with a STAN that is not the request's.</summary>
    public bool WrongStan { get; init; }

    /// <summary>Leave this echoed field out of every answer (0: none).</summary>
    public int DropField { get; init; }

    /// <summary>Change this echoed field in every answer (0: none).</summary>
    public int AlterField { get; init; }

    /// <summary>Answer with the wrong response MTI (0110 for 0200 and vice versa, 0410 for 0420).</summary>
    public bool WrongMti { get; init; }

    /// <summary>Put this DE39 in every answer (null: 00 for known BINs and reversals, 15 otherwise).</summary>
    public string? ResponseCode { get; init; }

    /// <summary>After this many requests in total, stop answering (and reading) for <see cref="StallMs"/> once (0: never).</summary>
    public long StallAtRequest { get; init; }

    public int StallMs { get; init; }

    /// <summary>Close a connection when its request number N arrives, without answering it (0: never).</summary>
    public int CloseAfterRequests { get; init; }

    /// <summary>Answer each request this long after it arrived (answers of one connection stay in order).</summary>
    public int AnswerDelayMs { get; init; }

    /// <summary>Answer at most this many requests per second on each connection, in order (0: no limit): a target short of throughput.</summary>
    public int AnswersPerSecond { get; init; }

    /// <summary>SO_RCVBUF of each accepted connection (0: the system's): a small one makes a stall back up into the harness's send.</summary>
    public int ReceiveBufferBytes { get; init; }

    /// <summary>Never answer.</summary>
    public bool Silent { get; init; }
}
