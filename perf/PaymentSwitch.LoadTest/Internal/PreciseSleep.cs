using System.Diagnostics;
using System.Runtime.InteropServices;

namespace PaymentSwitch.LoadTest.Internal;

/// <summary>
/// Sleeps for sub-millisecond periods: <c>clock_nanosleep</c> on Linux (tens of microseconds of slack), otherwise
/// <see cref="Thread.Sleep(int)"/> rounded up to whole milliseconds.
/// </summary>
internal static partial class PreciseSleep
{
    private static readonly bool UseNanosleep = OperatingSystem.IsLinux() && Probe();

    public static void For(long ticks)
    {
        if (ticks <= 0) return;
        if (UseNanosleep)
        {
            long nanos = (long)(ticks * (1e9 / Stopwatch.Frequency));
            var request = new Timespec { Seconds = nanos / 1_000_000_000, Nanoseconds = nanos % 1_000_000_000 };
            _ = ClockNanosleep(ClockMonotonic, 0, in request, IntPtr.Zero);
            return;
        }
        int millis = (int)Math.Ceiling(ticks * 1000.0 / Stopwatch.Frequency);
        Thread.Sleep(Math.Max(1, millis));
    }

    private static bool Probe()
    {
        try
        {
            var request = new Timespec { Seconds = 0, Nanoseconds = 1000 };
            return ClockNanosleep(ClockMonotonic, 0, in request, IntPtr.Zero) == 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    private const int ClockMonotonic = 1;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    private static partial int ClockNanosleep(int clockId, int flags, in Timespec request, IntPtr remain);
}
