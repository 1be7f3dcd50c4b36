using PaymentSwitch.LoadTest;

// Run socket continuations on the socket engine's own thread instead of hopping to the thread pool: the receive
// handler only parses, checks and records (no blocking work, the lock it takes is held for microseconds), and the
// hop would cost about as much CPU as the rest of the harness. Must be set before the first socket is used; an
// explicit setting in the environment wins.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl+C ends the schedule early and still prints the report; a second one kills the process.
    if (cancel.IsCancellationRequested) return;
    e.Cancel = true;
    cancel.Cancel();
};
return await LoadTestProgram.RunAsync(args, Console.Out, Console.Error, cancel.Token);
