namespace PaymentSwitch.LoadTest.Internal;

/// <summary>
/// Counts of one connection. Written only under the connection's lock (or by the thread that owns the connection
/// before it starts); the progress reporter reads them without a lock (Volatile reads of aligned longs, so each value
/// is whole, and the set is a near-instant approximation).
/// </summary>
internal sealed class ConnectionCounters
{
    public static readonly int ErrorKindCount = Enum.GetValues<LoadErrorKind>().Length;

    public long Sent;
    public long MeasuredSent;
    public long Answered;
    public long MeasuredAnswered;
    public long Ok;
    public long MeasuredOk;
    public long Backlogged;
    public long LateAnswers;
    public long ReversalsSent;
    public long ReversalsUnavailable;
    public long ErrorTotal;

    // Stopwatch ticks of the first and last send and answer of a measured request (0: none yet): the spans the
    // achieved and sent rates are taken over when they outlast the measured window.
    public long FirstMeasuredSendTicks;
    public long LastMeasuredSendTicks;
    public long FirstMeasuredAnswerTicks;
    public long LastMeasuredAnswerTicks;
    public readonly long[] Errors = new long[ErrorKindCount];

    /// <summary>Answers per DE39 value 00..99 (two digits); <see cref="OtherResponseCodes"/> for the rest.</summary>
    public readonly long[] ResponseCodes = new long[100];
    public long OtherResponseCodes;

    public void MeasuredSendAt(long ticks)
    {
        if (FirstMeasuredSendTicks == 0) FirstMeasuredSendTicks = ticks;
        if (ticks > LastMeasuredSendTicks) LastMeasuredSendTicks = ticks;
    }

    public void MeasuredAnswerAt(long ticks)
    {
        if (FirstMeasuredAnswerTicks == 0) FirstMeasuredAnswerTicks = ticks;
        if (ticks > LastMeasuredAnswerTicks) LastMeasuredAnswerTicks = ticks;
    }

    public void AddError(LoadErrorKind kind, long count = 1)
    {
        Errors[(int)kind] += count;
        ErrorTotal += count;
    }
}
