using System.Collections.Concurrent;
using System.Text;
using PaymentSwitch.Core.Routing;

namespace PaymentSwitch.Core.Tests.Routing;

/// <summary>The watcher on real files in a temporary directory (inotify on Linux).</summary>
public sealed class BinRoutesFileWatcherTests : IDisposable
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(20); // a hang guard, not a speed requirement

    private static readonly BinRoutesFileWatcherOptions FastOptions = new()
    {
        DebounceMs = 100,
        ReadAttempts = 3,
        RetryDelayMs = 100,
    };

    private readonly string _directory = Directory.CreateTempSubdirectory("bin-routes-").FullName;
    private readonly BlockingCollection<BinRouteReloadResult> _results = new(boundedCapacity: 1_000);

    private string RoutesPath => Path.Combine(_directory, "routes.json");

    public void Dispose()
    {
        _results.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static void WriteDurably(string path, string text, FileMode mode = FileMode.Create)
    {
        using var stream = new FileStream(path, mode, FileAccess.Write, FileShare.Read);
        stream.Write(Encoding.UTF8.GetBytes(text));
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Write to a temporary name, fsync, then rename over the file: readers see old or new, never half.</summary>
    private static void ReplaceAtomically(string path, string text)
    {
        string temporary = path + ".tmp";
        WriteDurably(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }

    private static string Routes(params (string Prefix, string Issuer)[] routes) =>
        "[" + string.Join(",", routes.Select(r => $"{{ \"Prefix\": \"{r.Prefix}\", \"Issuer\": \"{r.Issuer}\" }}")) + "]";

    private (BinRouter Router, BinRoutesFileWatcher Watcher) StartWith(string initialJson)
    {
        WriteDurably(RoutesPath, initialJson);
        var router = new BinRouter(BinRoutingTable.Empty);
        var watcher = new BinRoutesFileWatcher(router, RoutesPath, FastOptions);
        BinRouteReloadResult first = watcher.ReloadNow();
        Assert.Equal(BinRouteReloadOutcome.Swapped, first.Outcome);
        watcher.ReloadCompleted += (_, result) => _results.Add(result);
        return (router, watcher);
    }

    private BinRouteReloadResult WaitFor(Func<BinRouteReloadResult, bool> wanted, string what)
    {
        var seen = new List<string>();
        DateTime deadline = DateTime.UtcNow + WaitLimit;
        while (DateTime.UtcNow < deadline)
        {
            if (_results.TryTake(out BinRouteReloadResult? result, TimeSpan.FromMilliseconds(100)))
            {
                if (wanted(result))
                {
                    return result;
                }

                seen.Add(result.ToString());
            }
        }

        Assert.Fail($"no reload {what} within {WaitLimit.TotalSeconds} s; saw: {string.Join(" | ", seen)}");
        return null!;
    }

    [Fact]
    public void Initial_load_reports_source_with_content_hash()
    {
        (BinRouter router, BinRoutesFileWatcher watcher) = StartWith(Routes(("4", "visa")));
        using (watcher)
        {
            Assert.Equal(1, router.Current.Version);
            Assert.StartsWith(RoutesPath + " (sha256 ", router.Current.Source, StringComparison.Ordinal);
            Assert.Equal("visa", router.Lookup("4761731234567890"u8).IssuerId);
        }
    }

    [Fact]
    public void Replaced_file_is_picked_up()
    {
        (BinRouter router, BinRoutesFileWatcher watcher) = StartWith(Routes(("4", "visa")));
        using (watcher)
        {
            ReplaceAtomically(RoutesPath, Routes(("4", "card-sim"), ("5", "mc")));
            BinRouteReloadResult result = WaitFor(r => r.Outcome == BinRouteReloadOutcome.Swapped, "swapping in the new file");
            Assert.Equal(2, result.Current.Version);
            Assert.Same(result.Current, router.Current);
            Assert.Equal("card-sim", router.Lookup("4761731234567890"u8).IssuerId);
            Assert.Equal("mc", router.Lookup("5100001234567890"u8).IssuerId);
        }
    }

    [Fact]
    public void File_rewritten_in_place_is_picked_up()
    {
        (BinRouter router, BinRoutesFileWatcher watcher) = StartWith(Routes(("4", "visa")));
        using (watcher)
        {
            WriteDurably(RoutesPath, Routes(("4", "rewritten")));
            WaitFor(r => r.Outcome == BinRouteReloadOutcome.Swapped, "after an in-place write");
            Assert.Equal("rewritten", router.Lookup("4761731234567890"u8).IssuerId);
        }
    }

    [Fact]
    public void Broken_file_keeps_the_old_table_and_reports_the_error()
    {
        (BinRouter router, BinRoutesFileWatcher watcher) = StartWith(Routes(("4", "visa")));
        using (watcher)
        {
            BinRoutingTable before = router.Current;
            ReplaceAtomically(RoutesPath, "[ { \"Prefix\": \"4\", \"Issuer\": ");
            BinRouteReloadResult result = WaitFor(r => r.Outcome == BinRouteReloadOutcome.Rejected, "rejecting broken JSON");
            Assert.Same(before, router.Current);
            Assert.Same(before, result.Current);
            Assert.Contains("not complete, valid JSON", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
            Assert.Equal("visa", router.Lookup("4761731234567890"u8).IssuerId);

            // Fixing the file is picked up as usual.
            ReplaceAtomically(RoutesPath, Routes(("4", "fixed")));
            WaitFor(r => r.Outcome == BinRouteReloadOutcome.Swapped, "after the fix");
            Assert.Equal("fixed", router.Lookup("4761731234567890"u8).IssuerId);
            Assert.Equal(2, router.Current.Version);
        }
    }

    [Fact]
    public void Invalid_routes_keep_the_old_table_and_name_the_entry()
    {
        (BinRouter router, BinRoutesFileWatcher watcher) = StartWith(Routes(("4", "visa")));
        using (watcher)
        {
            BinRoutingTable before = router.Current;
            ReplaceAtomically(RoutesPath, Routes(("4", "visa"), ("5x", "mc")));
            BinRouteReloadResult result = WaitFor(r => r.Outcome == BinRouteReloadOutcome.Rejected, "rejecting bad digits");
            Assert.Same(before, router.Current);
            Assert.StartsWith("routes[1]: Prefix \"5x\" has 'x' at position 2", Assert.Single(result.Errors).ToString(), StringComparison.Ordinal);
            Assert.Contains("stays in force", result.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Same_content_saved_again_rebuilds_nothing()
    {
        string json = Routes(("4", "visa"));
        (BinRouter router, BinRoutesFileWatcher watcher) = StartWith(json);
        using (watcher)
        {
            BinRoutingTable before = router.Current;
            WriteDurably(RoutesPath, json);
            BinRouteReloadResult result = WaitFor(_ => true, "after saving the same bytes");
            Assert.Equal(BinRouteReloadOutcome.Unchanged, result.Outcome);
            Assert.Same(before, router.Current);
            Assert.Equal(BinRouteReloadOutcome.Unchanged, watcher.ReloadNow().Outcome);
        }
    }

    [Fact]
    public void Partially_written_file_is_read_again_until_complete()
    {
        (BinRouter router, BinRoutesFileWatcher watcher) = StartWith(Routes(("4", "visa")));
        using (watcher)
        {
            string json = Routes(("4", "second"), ("5", "mc"));
            using (var stream = new FileStream(RoutesPath, FileMode.Create, FileAccess.Write, FileShare.ReadWrite))
            {
                byte[] bytes = Encoding.UTF8.GetBytes(json);
                stream.Write(bytes.AsSpan(0, bytes.Length / 2));
                stream.Flush(flushToDisk: true);
                // Two incomplete reads from now: the second began after the first was reported, so after this write.
                using var readHalf = new CountdownEvent(2);
                watcher.ReadIncomplete += () => { if (!readHalf.IsSet) readHalf.Signal(); };
                Assert.True(readHalf.Wait(WaitLimit), "the watcher did not read the half-written file");
                stream.Write(bytes.AsSpan(bytes.Length / 2));
                stream.Flush(flushToDisk: true);
            }

            WaitFor(r => r.Outcome == BinRouteReloadOutcome.Swapped, "after the file was completed");
            Assert.Equal(2, router.Current.Version); // the half-written file was never swapped in
            Assert.Equal("second", router.Lookup("4761731234567890"u8).IssuerId);
            Assert.Equal("mc", router.Lookup("5100001234567890"u8).IssuerId);
        }
    }

    [Fact]
    public async Task A_table_put_in_force_while_the_file_is_being_read_wins_and_ends_up_in_the_file()
    {
        // PUT /routes swaps its table in, then saves it to the file (waiting for a reload in progress). A reload that
        // read the file before must not swap the file's older edit in after the PUT's table: memory and file would differ.
        WriteDurably(RoutesPath, Routes(("4", "visa")));
        var router = new BinRouter(BinRoutingTable.Empty);
        using var watcher = new BinRoutesFileWatcher(router, RoutesPath, new BinRoutesFileWatcherOptions { DebounceMs = 50, ReadAttempts = 40, RetryDelayMs = 50 });
        Assert.Equal(BinRouteReloadOutcome.Swapped, watcher.ReloadNow().Outcome);
        watcher.ReloadCompleted += (_, result) => _results.Add(result);

        byte[] edit = Encoding.UTF8.GetBytes(Routes(("4", "edited")));
        using var reading = new ManualResetEventSlim();
        watcher.ReadIncomplete += reading.Set;
        Task<bool> saved;
        using (var stream = new FileStream(RoutesPath, FileMode.Create, FileAccess.Write, FileShare.ReadWrite))
        {
            stream.Write(edit.AsSpan(0, edit.Length / 2));
            stream.Flush(flushToDisk: true);
            // The watcher has read the half-written edit and reads it again and again, holding its gate.
            Assert.True(reading.Wait(WaitLimit), "the watcher did not read the half-written edit");

            BinRouteReloadResult put = router.Reload(BinRoutesJson.Parse(Encoding.UTF8.GetBytes(Routes(("4", "put")))).Routes, "PUT");
            Assert.Equal(BinRouteReloadOutcome.Swapped, put.Outcome);
            saved = Task.Run(() => watcher.Save(put.Current.Routes, put.Current.Version)); // waits for the reload in progress

            stream.Write(edit.AsSpan(edit.Length / 2));
            stream.Flush(flushToDisk: true);
        }

        BinRouteReloadResult reload = WaitFor(r => r.Outcome != BinRouteReloadOutcome.Unchanged, "the reload of the edit");
        Assert.Equal(BinRouteReloadOutcome.Superseded, reload.Outcome);
        Assert.True(await saved.WaitAsync(WaitLimit));
        Assert.Equal("put", router.Lookup("4761731234567890"u8).IssuerId);
        BinRoutesParseResult onDisk = BinRoutesJson.Parse(File.ReadAllBytes(RoutesPath));
        Assert.Equal("put", Assert.Single(onDisk.Routes).IssuerId);
    }

    [Fact]
    public void An_edit_of_the_file_read_after_a_table_was_put_in_force_wins_and_the_file_is_left_holding_it()
    {
        // The other order: the PUT's table is swapped in, then a reload reads a newer edit of the file and swaps it in
        // before the PUT's save gets the gate. The save must not write the PUT's table over the file: the router holds
        // the edit, and the file must too.
        WriteDurably(RoutesPath, Routes(("4", "visa")));
        var router = new BinRouter(BinRoutingTable.Empty);
        using var watcher = new BinRoutesFileWatcher(router, RoutesPath, new BinRoutesFileWatcherOptions { DebounceMs = 60_000 });
        Assert.Equal(BinRouteReloadOutcome.Swapped, watcher.ReloadNow().Outcome);

        BinRouteReloadResult put = router.Reload(BinRoutesJson.Parse(Encoding.UTF8.GetBytes(Routes(("4", "put")))).Routes, "PUT");
        Assert.Equal(BinRouteReloadOutcome.Swapped, put.Outcome);
        WriteDurably(RoutesPath, Routes(("4", "edited")));
        Assert.Equal(BinRouteReloadOutcome.Swapped, watcher.ReloadNow().Outcome); // read after the PUT: a newer change

        Assert.False(watcher.Save(put.Current.Routes, put.Current.Version));
        Assert.Equal("edited", router.Lookup("4761731234567890"u8).IssuerId);
        Assert.Equal("edited", Assert.Single(BinRoutesJson.Parse(File.ReadAllBytes(RoutesPath)).Routes).IssuerId);
    }

    [Fact]
    public void Deleted_file_keeps_the_old_table()
    {
        (BinRouter router, BinRoutesFileWatcher watcher) = StartWith(Routes(("4", "visa")));
        using (watcher)
        {
            BinRoutingTable before = router.Current;
            File.Delete(RoutesPath);
            BinRouteReloadResult result = WaitFor(r => r.Outcome == BinRouteReloadOutcome.Rejected, "after deletion");
            Assert.Contains("does not exist", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
            Assert.Same(before, router.Current);
        }
    }

    [Fact]
    public void Watching_a_missing_directory_fails_clearly()
    {
        var router = new BinRouter(BinRoutingTable.Empty);
        string path = Path.Combine(_directory, "missing", "routes.json");
        DirectoryNotFoundException exception = Assert.Throws<DirectoryNotFoundException>(() => new BinRoutesFileWatcher(router, path));
        Assert.Contains("does not exist", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Disposed_watcher_stops_reloading()
    {
        (BinRouter router, BinRoutesFileWatcher watcher) = StartWith(Routes(("4", "visa")));
        watcher.Dispose();
        Assert.Throws<ObjectDisposedException>(() => watcher.ReloadNow());
        ReplaceAtomically(RoutesPath, Routes(("4", "after-dispose")));

        // Prove the negative against a positive control: a second watcher sees the next change; the first never reports.
        using var control = new BinRoutesFileWatcher(new BinRouter(BinRoutingTable.Empty), RoutesPath, FastOptions);
        var controlResults = new BlockingCollection<BinRouteReloadResult>();
        control.ReloadCompleted += (_, r) => controlResults.Add(r);
        ReplaceAtomically(RoutesPath, Routes(("4", "control")));
        Assert.True(controlResults.TryTake(out _, WaitLimit));
        Assert.Empty(_results);
        Assert.Equal("visa", router.Lookup("4761731234567890"u8).IssuerId);
    }
}
