using System.Diagnostics;
using PaymentSwitch.Journal;
using PaymentSwitch.LoadTest.Internal;
using PaymentSwitch.Metrics;

namespace PaymentSwitch.JournalFloor;

/// <summary>
/// Paces authorisations open-loop against one journal and records, for each, how long its two durable appends took:
/// from its intended arrival (what a load harness would see, scheduling included) and from the moment it was
/// dispatched (the journal's share alone).
/// </summary>
internal sealed class FloorRun(FloorOptions options, WriteAheadJournal journal)
{
    private const long HighestMicros = 60_000_000;
    private const byte ForwardedType = 1;
    private const byte OutcomeType = 2;

    private readonly ConcurrentHdrRecorder _fromIntended = new(HighestMicros, 3);
    private readonly ConcurrentHdrRecorder _fromDispatch = new(HighestMicros, 3);
    private readonly ConcurrentHdrRecorder _eachAppend = new(HighestMicros, 3);
    private readonly byte[] _forwarded = new byte[options.ForwardedBytes];
    private readonly byte[] _outcome = new byte[options.OutcomeBytes];
    private long _inFlight;
    private long _completed;
    private long _overOneMs;
    private long _failed;
    private string? _firstFailure;

    public FloorResult Run()
    {
        double frequency = Stopwatch.Frequency;
        double ticksPerArrival = frequency / options.Rate;
        long tick = (long)(options.TickMicros * frequency / 1_000_000);
        long start = Stopwatch.GetTimestamp();
        long measureFrom = start + (long)(options.WarmupSeconds * frequency);
        long end = measureFrom + (long)(options.Seconds * frequency);
        long total = (long)((end - start) / ticksPerArrival);
        long measuredTotal = total - (long)Math.Ceiling((measureFrom - start) / ticksPerArrival);

        long next = 0;
        long wake = start;
        while (next < total)
        {
            long now = Stopwatch.GetTimestamp();
            long due = Math.Min(total, (long)((now - start) / ticksPerArrival) + 1);
            for (; next < due; next++)
            {
                long intended = start + (long)(next * ticksPerArrival);
                _ = AuthoriseAsync(intended, intended >= measureFrom);
            }

            wake += tick;
            long wait = wake - Stopwatch.GetTimestamp();
            if (wait < -4 * tick) wake = Stopwatch.GetTimestamp(); // fell behind: do not catch up tick by tick
            else PreciseSleep.For(wait);
        }

        long scheduleEnd = Stopwatch.GetTimestamp();
        long drainDeadline = scheduleEnd + (long)(30 * frequency);
        while (Volatile.Read(ref _inFlight) > 0 && Stopwatch.GetTimestamp() < drainDeadline) Thread.Sleep(1);

        double measuredSeconds = (scheduleEnd - measureFrom) / frequency;
        return new FloorResult(
            options,
            journal.GetStats(),
            Volatile.Read(ref _completed) / measuredSeconds,
            measuredTotal,
            Volatile.Read(ref _completed),
            Volatile.Read(ref _overOneMs),
            Volatile.Read(ref _failed) + Volatile.Read(ref _inFlight),
            _firstFailure,
            FloorLatency.Of(_fromIntended.GetIntervalHistogram()),
            FloorLatency.Of(_fromDispatch.GetIntervalHistogram()),
            FloorLatency.Of(_eachAppend.GetIntervalHistogram()));
    }

    private async Task AuthoriseAsync(long intended, bool measured)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            long dispatched = Stopwatch.GetTimestamp();
            await journal.AppendAsync(ForwardedType, _forwarded); // rule 1: durable before the request leaves
            long forwarded = Stopwatch.GetTimestamp();
            await journal.AppendAsync(OutcomeType, _outcome);     // rule 2: durable before the answer goes back
            long answered = Stopwatch.GetTimestamp();
            if (!measured) return;

            long total = Micros(answered - intended);
            _fromIntended.Record(total);
            _fromDispatch.Record(Micros(answered - dispatched));
            _eachAppend.Record(Micros(forwarded - dispatched));
            _eachAppend.Record(Micros(answered - forwarded));
            Interlocked.Increment(ref _completed);
            if (total > 1000) Interlocked.Increment(ref _overOneMs);
        }
        catch (Exception ex) when (ex is JournalFaultedException or JournalFullException or IOException or ObjectDisposedException)
        {
            Interlocked.CompareExchange(ref _firstFailure, ex.Message, null);
            Interlocked.Increment(ref _failed);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private static long Micros(long ticks) => Math.Clamp(ticks * 1_000_000 / Stopwatch.Frequency, 0, HighestMicros);
}
