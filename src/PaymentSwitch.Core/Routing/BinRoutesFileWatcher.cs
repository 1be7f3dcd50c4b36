using System.Diagnostics;
using System.Security.Cryptography;

namespace PaymentSwitch.Core.Routing;

/// <summary>
/// Keeps a <see cref="BinRouter"/> in step with a <c>routes.json</c> file: when the file changes, waits for the
/// writes to settle, reads it, and swaps in a new table if the content differs from what it last processed.
/// Broken content never replaces a working table; every attempt is reported through <see cref="ReloadCompleted"/>.
/// </summary>
/// <remarks>
/// <para>Change notifications restart a debounce timer (<see cref="BinRoutesFileWatcherOptions.DebounceMs"/>), so a
/// burst of writes causes one reload; reloads run one at a time, and notifications that arrive meanwhile cause at
/// most one more.</para>
/// <para>The content's SHA-256 is compared with the last content processed: saving the same bytes again rebuilds
/// nothing (<see cref="BinRouteReloadOutcome.Unchanged"/>). A file that cannot be read or is not yet complete JSON
/// is read again up to <see cref="BinRoutesFileWatcherOptions.ReadAttempts"/> times before the attempt is
/// reported as rejected. Writers should prefer write-to-temporary-then-rename, which is always seen whole.</para>
/// <para>Reloads run on a thread-pool thread; <see cref="ReloadCompleted"/> handlers run there too, one at a time,
/// and should only log or record the result.</para>
/// </remarks>
public sealed class BinRoutesFileWatcher : IDisposable
{
    private readonly BinRouter _router;
    private readonly BinRoutesFileWatcherOptions _options;
    private readonly FileSystemWatcher _watcher;
    private readonly Timer _debounce;
    private readonly Lock _reloadGate = new();
    private byte[]? _lastContentHash;
    private volatile bool _disposed;

    /// <summary>Starts watching <paramref name="filePath"/> (its directory must exist). Call <see cref="ReloadNow"/> for the first load.</summary>
    public BinRoutesFileWatcher(BinRouter router, string filePath, BinRoutesFileWatcherOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(router);
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        _options = options ?? new BinRoutesFileWatcherOptions();
        _options.Validate();
        _router = router;
        FilePath = Path.GetFullPath(filePath);
        string directory = Path.GetDirectoryName(FilePath)!;
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException(
                $"Cannot watch the BIN routes file {FilePath}: the directory {directory} does not exist.");
        }

        _debounce = new Timer(static state => ((BinRoutesFileWatcher)state!).OnDebounceElapsed(), this,
            Timeout.Infinite, Timeout.Infinite);
        _watcher = new FileSystemWatcher(directory, Path.GetFileName(FilePath))
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            IncludeSubdirectories = false,
        };
        _watcher.Changed += OnFileChanged;
        _watcher.Created += OnFileChanged;
        _watcher.Deleted += OnFileChanged;
        _watcher.Renamed += OnFileChanged;
        _watcher.Error += OnWatcherError;
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>Raised after every reload attempt (swapped, unchanged or rejected), on the thread that ran it.</summary>
    public event EventHandler<BinRouteReloadResult>? ReloadCompleted;

    /// <summary>
    /// For tests: raised on the reloading thread, holding the reload gate, each time a reload found the file incomplete
    /// (half-written) or unreadable and is about to read it again.
    /// </summary>
    internal event Action? ReadIncomplete;

    /// <summary>Full path of the watched file.</summary>
    public string FilePath { get; }

    /// <summary>
    /// Reads the file now and reloads if its content changed (use it for the first load and for an operator's
    /// "reload"). Waits for a reload in progress. Also raises <see cref="ReloadCompleted"/>.
    /// </summary>
    public BinRouteReloadResult ReloadNow()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_reloadGate)
        {
            BinRouteReloadResult result = ReloadCore();
            ReloadCompleted?.Invoke(this, result);
            return result;
        }
    }

    /// <summary>
    /// Writes <paramref name="routes"/>, put in force in the router as table <paramref name="version"/>, to the watched
    /// file, atomically, and records its content as processed, so the change notification it causes rebuilds nothing.
    /// Runs under the reload gate, so a reload in progress finishes first. When that reload (one that read the file
    /// after the table was put in force) swapped in a newer table from the file, the file already holds what is in
    /// force: nothing is written and the result is false. So the router and the file never end up apart.
    /// </summary>
    public bool Save(IReadOnlyList<BinRoute> routes, long version)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_reloadGate)
        {
            if (_router.Current.Version != version)
            {
                return false;
            }

            byte[] content = BinRoutesFile.Save(FilePath, routes);
            _lastContentHash = SHA256.HashData(content);
            return true;
        }
    }

    /// <summary>Stops watching; waits for a reload in progress to finish (its result is still reported).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _watcher.EnableRaisingEvents = false;
        _watcher.Dispose();
        _debounce.Dispose();
        lock (_reloadGate)
        {
            // Nothing to do: taking the gate waits for the reload in progress, if any.
        }
    }

    private void OnFileChanged(object sender, FileSystemEventArgs e) => ScheduleReload();

    private void OnWatcherError(object sender, ErrorEventArgs e) => ScheduleReload(); // e.g. missed events: look again

    private void ScheduleReload()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            _debounce.Change(_options.DebounceMs, Timeout.Infinite);
        }
        catch (ObjectDisposedException)
        {
            // Disposed between the check and the call: nothing to reload any more.
        }
    }

    private void OnDebounceElapsed()
    {
        lock (_reloadGate)
        {
            if (_disposed)
            {
                return;
            }

            long startedAt = Stopwatch.GetTimestamp();
            BinRouteReloadResult result;
            try
            {
                result = ReloadCore();
            }
            catch (Exception exception)
            {
                // Never let a reload take the process down from a timer thread; the old table stays in force.
                result = _router.Rejected(
                    [new BinRouteError(-1, $"Reloading failed unexpectedly ({exception.GetType().Name}: {exception.Message}).")],
                    FilePath, startedAt);
            }

            ReloadCompleted?.Invoke(this, result);
        }
    }

    private BinRouteReloadResult ReloadCore()
    {
        long startedAt = Stopwatch.GetTimestamp();
        // A table put in force by another writer while this file is read and built (PUT /routes, which saves its own
        // table to this file once this reload has finished) wins: swapping the file's table in after it would leave
        // the router and the file apart.
        long versionAtStart = _router.Current.Version;
        for (int attempt = 1; ; attempt++)
        {
            IReadOnlyList<BinRouteError> errors;
            if (TryReadFile(out byte[]? content, out string? readError))
            {
                byte[] hash = SHA256.HashData(content);
                if (_lastContentHash is not null && hash.AsSpan().SequenceEqual(_lastContentHash))
                {
                    return _router.Unchanged(FilePath, startedAt);
                }

                BinRoutesParseResult parsed = BinRoutesJson.Parse(content);
                if (!parsed.IsIncomplete)
                {
                    _lastContentHash = hash;
                    string source = $"{FilePath} (sha256 {Convert.ToHexStringLower(hash.AsSpan(0, 8))})";
                    return parsed.Succeeded
                        ? _router.Reload(parsed.Routes, source, versionAtStart)
                        : _router.Rejected(parsed.Errors, source, startedAt);
                }

                errors = parsed.Errors;
            }
            else
            {
                errors = [new BinRouteError(-1, readError)];
            }

            if (attempt >= _options.ReadAttempts || _disposed)
            {
                return _router.Rejected(errors, FilePath, startedAt);
            }

            ReadIncomplete?.Invoke();

            Thread.Sleep(_options.RetryDelayMs);
        }
    }

    private bool TryReadFile([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? content,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        content = null;
        error = null;
        try
        {
            using var stream = new FileStream(FilePath, FileMode.Open, FileAccess.Read,
                FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, FileOptions.SequentialScan);
            long length = stream.Length;
            if (length > _options.MaxFileSizeBytes)
            {
                error = $"The routes file is {length} bytes, more than the {_options.MaxFileSizeBytes} allowed (MaxFileSizeBytes).";
                return false;
            }

            var bytes = new byte[length];
            stream.ReadExactly(bytes);
            content = bytes;
            return true;
        }
        catch (FileNotFoundException)
        {
            error = $"The routes file {FilePath} does not exist (deleted or being replaced).";
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            error = $"The routes file {FilePath} cannot be read: {exception.Message}";
        }

        return false;
    }
}
