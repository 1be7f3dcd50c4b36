using System.Runtime.CompilerServices;

namespace PaymentSwitch.LoadTest.Tests.Support;

/// <summary>
/// Gives the test process a thread pool that the in-process responder and harness cannot starve.
/// </summary>
/// <remarks>
/// Here both ends of every connection run their socket continuations on one thread pool (the harness executable runs
/// them inline on the socket engine thread, and has its process to itself). On 2 cores that pool starts with 2
/// workers and adds one only about every half second while work waits, and runs sometimes stalled answers for
/// 0.5-1 s: about 1 run in 7 of ReportFileTests and CleanRunTests, measured with and without this (0 in 20 with it).
/// Such a stall at the end of a short measured window is a real shortfall of the achieved rate, which fails a run.
/// </remarks>
internal static class TestThreadPool
{
    private const int MinThreads = 16;

    [ModuleInitializer]
    internal static void Initialize()
    {
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, MinThreads), Math.Max(io, MinThreads));
    }
}
