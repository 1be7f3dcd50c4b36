using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PaymentSwitch.Integration.Tests;

/// <summary>
/// Headless Chromium (Debian's <c>chromium</c>, installed by tests/setup.sh) driven over the Chrome DevTools Protocol
/// from the test: open a page, evaluate script in it, take a screenshot, and collect the page's uncaught exceptions
/// and console errors. One fresh profile directory per browser, removed on dispose.
/// </summary>
internal sealed partial class DashboardBrowser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<int, TaskCompletionSource<JsonNode>> _pending = [];
    private readonly List<string> _pageErrors = [];
    private readonly Task _receiveLoop;
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private int _nextId;
    private string? _session;

    private DashboardBrowser(Process process, string profile, ClientWebSocket socket)
    {
        _process = process;
        _profile = profile;
        _socket = socket;
        _receiveLoop = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>Uncaught exceptions and console errors the page produced.</summary>
    public IReadOnlyList<string> PageErrors { get { lock (_pageErrors) return [.. _pageErrors]; } }

    public static async Task<DashboardBrowser> LaunchAsync(int width, int height)
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing: run tests/setup.sh (it installs Debian's chromium package).");
        string profile = Directory.CreateTempSubdirectory("ps-chromium-").FullName;
        var info = new ProcessStartInfo(ChromiumPath) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in (string[])["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
                     "--hide-scrollbars", "--mute-audio", $"--user-data-dir={profile}", "--remote-debugging-port=0",
                     $"--window-size={width},{height}", "about:blank"])
            info.ArgumentList.Add(arg);
        Process process = Process.Start(info)!;
        _ = process.StandardOutput.ReadToEndAsync(); // drained so chromium never blocks on a full pipe

        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stderr = new StringBuilder();
        _ = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is string line)
            {
                lock (stderr) stderr.AppendLine(line);
                Match m = DevToolsLine().Match(line);
                if (m.Success) found.TrySetResult(m.Groups[1].Value);
            }
            found.TrySetException(new InvalidOperationException("chromium exited before opening DevTools:\n" + stderr));
        });
        string url;
        try
        {
            url = await found.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            Kill(process);
            throw;
        }

        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await socket.ConnectAsync(new Uri(url), CancellationToken.None);
        return new DashboardBrowser(process, profile, socket);
    }

    /// <summary>Opens a tab of the given size, attaches to it and navigates to <paramref name="url"/>.</summary>
    public async Task OpenAsync(string url, int width, int height)
    {
        JsonNode target = await SendAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" }, browserLevel: true);
        JsonNode attached = await SendAsync("Target.attachToTarget", new JsonObject { ["targetId"] = (string?)target["targetId"], ["flatten"] = true }, browserLevel: true);
        _session = (string?)attached["sessionId"];
        await SendAsync("Runtime.enable", []);
        await SendAsync("Page.enable", []);
        await SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject { ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = false });
        JsonNode navigated = await SendAsync("Page.navigate", new JsonObject { ["url"] = url });
        if (navigated["errorText"] is JsonNode error) throw new InvalidOperationException($"navigation to {url} failed: {error}");
    }

    /// <summary>Evaluates a JavaScript expression in the page and returns its value (JSON-compatible).</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        JsonNode result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true });
        if (result["exceptionDetails"] is JsonNode exception) throw new InvalidOperationException("page script failed: " + exception.ToJsonString());
        return result["result"]!["value"];
    }

    /// <summary>Waits until <paramref name="expression"/> evaluates to true.</summary>
    public async Task WaitUntilAsync(string expression, int timeoutMs, string what)
    {
        DateTime deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            if (await EvaluateAsync(expression) is JsonValue v && v.TryGetValue(out bool ok) && ok) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the page never showed {what} (page errors: {string.Join("; ", PageErrors)})");
            await Task.Delay(100);
        }
    }

    /// <summary>Writes a PNG of the page to <paramref name="path"/>.</summary>
    public async Task ScreenshotAsync(string path)
    {
        JsonNode shot = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" });
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, Convert.FromBase64String((string)shot["data"]!));
    }

    private async Task<JsonNode> SendAsync(string method, JsonObject parameters, bool browserLevel = false)
    {
        int id = Interlocked.Increment(ref _nextId);
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
        if (!browserLevel) message["sessionId"] = _session ?? throw new InvalidOperationException("no page is open");
        var reply = new TaskCompletionSource<JsonNode>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_pending) _pending[id] = reply;
        byte[] bytes = Encoding.UTF8.GetBytes(message.ToJsonString());
        await _sendGate.WaitAsync();
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
        finally
        {
            _sendGate.Release();
        }
        return await reply.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                WebSocketReceiveResult received = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (received.MessageType == WebSocketMessageType.Close) break;
                message.Write(buffer, 0, received.Count);
                if (!received.EndOfMessage) continue;
                JsonNode node = JsonNode.Parse(message.GetBuffer().AsSpan(0, (int)message.Length))!;
                message.SetLength(0);
                Dispatch(node);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // closing
        }
        finally
        {
            lock (_pending)
            {
                foreach (TaskCompletionSource<JsonNode> waiting in _pending.Values) waiting.TrySetException(new InvalidOperationException("the DevTools connection closed"));
                _pending.Clear();
            }
        }
    }

    private void Dispatch(JsonNode node)
    {
        if (node["id"] is JsonNode idNode)
        {
            TaskCompletionSource<JsonNode>? waiting;
            lock (_pending)
            {
                if (_pending.Remove((int)idNode, out waiting) == false) return;
            }
            if (node["error"] is JsonNode error) waiting!.TrySetException(new InvalidOperationException("DevTools error: " + error.ToJsonString()));
            else waiting!.TrySetResult(node["result"] ?? new JsonObject());
            return;
        }
        switch ((string?)node["method"])
        {
            case "Runtime.exceptionThrown":
                lock (_pageErrors) _pageErrors.Add("exception: " + node["params"]!["exceptionDetails"]!.ToJsonString());
                break;
            case "Runtime.consoleAPICalled" when (string?)node["params"]!["type"] is "error" or "assert":
                lock (_pageErrors) _pageErrors.Add("console: " + node["params"]!["args"]!.ToJsonString());
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(2000);
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        finally
        {
            _stop.Cancel();
            await _receiveLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _socket.Dispose();
            Kill(_process);
            _process.Dispose();
            try
            {
                Directory.Delete(_profile, recursive: true);
            }
            catch (IOException)
            {
                // chromium may still be writing to its profile for a moment; it is in the temp folder
            }
        }
    }

    private static void Kill(Process process)
    {
        if (process.HasExited) return;
        process.Kill(entireProcessTree: true);
        process.WaitForExit(10_000);
    }

    [GeneratedRegex(@"DevTools listening on (ws://\S+)")]
    private static partial Regex DevToolsLine();
}
