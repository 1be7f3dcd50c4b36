using PaymentSwitch.Core.Issuers;

namespace PaymentSwitch.Core.Authorisation;

/// <summary>
/// Running totals of what the switch has done: requests received, answers by response code, timeouts, late answers,
/// shed requests. Writers use interlocked increments; readers take a consistent-enough snapshot without a lock.
/// </summary>
public sealed class SwitchCounters
{
    private readonly long[] _byResponseCode = new long[36 * 36];
    private long _received;
    private long _answered;
    private long _timedOut;
    private long _lateAnswers;
    private long _shed;
    private long _duplicates;

    public long ReceivedTotal => Volatile.Read(ref _received);
    public long AnsweredTotal => Volatile.Read(ref _answered);
    public long TimedOutTotal => Volatile.Read(ref _timedOut);
    public long LateAnswersTotal => Volatile.Read(ref _lateAnswers);
    public long ShedTotal => Volatile.Read(ref _shed);
    public long DuplicatesTotal => Volatile.Read(ref _duplicates);

    /// <summary>Raised for every answer with its response code, elapsed <see cref="System.Diagnostics.Stopwatch"/> ticks and issuer (null when the switch answered itself).</summary>
    public event Action<ResponseCode, long, IssuerLink?>? AnswerRecorded;

    internal void Received() => Interlocked.Increment(ref _received);
    internal void TimedOut() => Interlocked.Increment(ref _timedOut);
    internal void LateAnswer() => Interlocked.Increment(ref _lateAnswers);
    internal void Shed() => Interlocked.Increment(ref _shed);
    internal void Duplicate() => Interlocked.Increment(ref _duplicates);

    internal void Answered(ResponseCode code, long elapsedTicks, IssuerLink? issuer)
    {
        Interlocked.Increment(ref _answered);
        int index = code.Index;
        if ((uint)index < (uint)_byResponseCode.Length) Interlocked.Increment(ref _byResponseCode[index]);
        AnswerRecorded?.Invoke(code, elapsedTicks, issuer);
    }

    /// <summary>Answers so far for each response code that has any.</summary>
    public IReadOnlyDictionary<string, long> AnswersByResponseCode()
    {
        var result = new SortedDictionary<string, long>(StringComparer.Ordinal);
        for (int i = 0; i < _byResponseCode.Length; i++)
        {
            long n = Volatile.Read(ref _byResponseCode[i]);
            if (n != 0) result[ResponseCode.FromIndex(i).ToString()] = n;
        }
        return result;
    }
}
