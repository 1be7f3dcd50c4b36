using Microsoft.Win32.SafeHandles;
using PaymentSwitch.Journal.Internal;

namespace PaymentSwitch.Benchmarks;

/// <summary>Folders and segment-like files for the disk benchmarks, on the real disk under the temp directory.</summary>
internal static class BenchmarkFiles
{
    public static string NewDirectory(string prefix)
    {
        string directory = Path.Combine(Path.GetTempPath(), prefix + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>
    /// Creates a file of <paramref name="bytes"/> preallocated like a journal segment and, with
    /// <paramref name="zeroFill"/>, written with zeros like a prepared one; synced either way.
    /// </summary>
    public static SafeFileHandle CreateSegmentLike(string path, long bytes, bool zeroFill, FileOptions options = FileOptions.None)
    {
        SafeFileHandle file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite, options);
        NativeMethods.Preallocate(file, bytes);
        if (zeroFill)
        {
            byte[] zeros = new byte[1 << 20];
            for (long at = 0; at < bytes; at += zeros.Length) RandomAccess.Write(file, zeros.AsSpan(0, (int)Math.Min(zeros.Length, bytes - at)), at);
        }

        NativeMethods.SyncData(file, path);
        return file;
    }

    /// <summary>
    /// <paramref name="count"/> appends of <paramref name="batch"/> at <paramref name="offset"/> onwards, each written
    /// through the page cache and fdatasync'd: the journal's buffered group commit, the baseline of the disk benchmarks.
    /// </summary>
    public static void AppendWithFdatasync(SafeFileHandle file, string path, byte[] batch, ref long offset, int count)
    {
        for (int i = 0; i < count; i++)
        {
            RandomAccess.Write(file, batch, offset);
            NativeMethods.SyncData(file, path);
            offset += batch.Length;
        }
    }
}
