using System.Text.Json;

namespace PaymentSwitch.Core.Routing;

/// <summary>
/// Writes a <c>routes.json</c> so that a reader (the file watcher, or the next start) sees either the old file or
/// the new one whole: the routes go to a temporary file in the same folder, which is flushed to disk and then renamed
/// over the old one; the folder is then synced, so that after a power cut the new name holds too.
/// </summary>
public static class BinRoutesFile
{
    /// <summary>Writes <paramref name="routes"/> to <paramref name="path"/> atomically; returns the bytes written.</summary>
    /// <exception cref="IOException">The folder cannot be written (the old file is left as it was).</exception>
    /// <exception cref="UnauthorizedAccessException">No permission to write there (the old file is left as it was).</exception>
    public static byte[] Save(string path, IReadOnlyList<BinRoute> routes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(routes);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            BinRoutesJson.WriteRoutes(json, routes);
        }

        byte[] content = [.. buffer.WrittenSpan, (byte)'\n'];
        string temporary = path + ".saving";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temporary);
            }
            catch (IOException)
            {
                // Best effort: a leftover ".saving" file is never read as routes.
            }

            throw;
        }

        // A failure here surfaces as a failed save (IOException): the new file is in place, but its name may not
        // survive a power cut.
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        PaymentSwitch.Journal.DirectoryDurability.Sync(folder);
        return content;
    }
}
