using PaymentSwitch.Journal;

namespace PaymentSwitch.Core.Networking;

/// <summary>
/// A batch of work on one thread (the frames of one read, one run of journal completions) during which writes to
/// connections do not each start a send: the first write to a connection registers it, and at the end of the batch
/// this thread sends everything each registered connection accumulated, one send per connection and no thread-pool
/// hop. Outside a batch a write hands its send to the thread pool, as before. Nested batches flush with the
/// outermost. Enter and exit on the same thread with no await in between (a <c>try</c>/<c>finally</c>).
/// </summary>
internal sealed class SendBatch : ICompletionRunScope
{
    /// <summary>The instance handed to the journal as its <see cref="JournalOptions.CompletionRunScope"/>.</summary>
    public static readonly SendBatch JournalCompletions = new();

    [ThreadStatic] private static int t_depth;
    [ThreadStatic] private static List<OutboundBuffer>? t_deferred;

    private SendBatch()
    {
    }

    public static void Begin() => t_depth++;

    /// <summary>Ends the batch; the outermost end sends what was deferred.</summary>
    public static void End()
    {
        if (--t_depth != 0) return;
        List<OutboundBuffer>? deferred = t_deferred;
        if (deferred is null || deferred.Count == 0) return;
        // Taken out while sending: a batch begun meanwhile on this thread starts a list of its own.
        t_deferred = null;
        int i = 0;
        try
        {
            for (; i < deferred.Count; i++) deferred[i].SendDeferred();
        }
        finally
        {
            // Should a send throw, the connections after it are not stranded with a send marked as started: the
            // thread pool sends for them.
            for (i++; i < deferred.Count; i++) deferred[i].SendOnThreadPool();
            deferred.Clear();
            t_deferred ??= deferred;
        }
    }

    /// <summary>
    /// Inside a batch: remembers <paramref name="buffer"/> to send at its end and returns true. Outside: false (the
    /// caller sends through the thread pool).
    /// </summary>
    public static bool TryDefer(OutboundBuffer buffer)
    {
        if (t_depth == 0) return false;
        (t_deferred ??= new List<OutboundBuffer>(8)).Add(buffer);
        return true;
    }

    void ICompletionRunScope.Enter() => Begin();

    void ICompletionRunScope.Exit() => End();
}
