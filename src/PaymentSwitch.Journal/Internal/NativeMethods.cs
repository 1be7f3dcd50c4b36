using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace PaymentSwitch.Journal.Internal;

/// <summary>The few system calls .NET does not expose: fdatasync, posix_fallocate, fsync of a directory, rename.</summary>
internal static partial class NativeMethods
{
    public const int EINTR = 4;
    public const int EXDEV = 18;
    public const int EINVAL = 22;
    public const int EFBIG = 27;
    public const int ENOSPC = 28;
    public const int EOPNOTSUPP = 95;

    private const int O_RDONLY = 0;
    private const int O_CLOEXEC = 0x80000; // same value on Linux x64 and arm64

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int LinuxFdatasync(SafeFileHandle fd);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int UnixFsync(SafeFileHandle fd);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int UnixFsyncFd(int fd);

    [LibraryImport("libc", EntryPoint = "posix_fallocate")]
    private static partial int LinuxPosixFallocate(SafeFileHandle fd, long offset, long length);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UnixOpen(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int UnixClose(int fd);

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UnixRename(string from, string to);

    [LibraryImport("kernel32", EntryPoint = "FlushFileBuffers", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool WindowsFlushFileBuffers(SafeFileHandle handle);

    /// <summary>
    /// Makes the file's data (and the metadata needed to read it, such as its size) durable: <c>fdatasync</c> on
    /// Linux, <c>fsync</c> on other Unix systems, <c>FlushFileBuffers</c> on Windows. Throws <see cref="IOException"/>
    /// whose <see cref="Exception.HResult"/> is the errno on failure.
    /// </summary>
    public static void SyncData(SafeFileHandle handle, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            if (!WindowsFlushFileBuffers(handle))
            {
                ThrowIo("FlushFileBuffers", path, Marshal.GetLastPInvokeError());
            }

            return;
        }

        while (true)
        {
            int rc = OperatingSystem.IsLinux() ? LinuxFdatasync(handle) : UnixFsync(handle);
            if (rc == 0)
            {
                return;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno != EINTR)
            {
                ThrowIo(OperatingSystem.IsLinux() ? "fdatasync" : "fsync", path, errno);
            }
        }
    }

    /// <summary>
    /// Reserves <paramref name="lengthBytes"/> of disk blocks for the file and sets its size. Returns 0 on success,
    /// otherwise the errno (ENOSPC when the disk is full). Where <c>posix_fallocate</c> is not available, falls back
    /// to setting the length (a sparse file; a full disk then shows on write).
    /// </summary>
    public static int Preallocate(SafeFileHandle handle, long lengthBytes)
    {
        if (OperatingSystem.IsLinux())
        {
            int rc;
            do
            {
                rc = LinuxPosixFallocate(handle, 0, lengthBytes);
            }
            while (rc == EINTR);

            if (rc != EOPNOTSUPP && rc != EINVAL)
            {
                return rc;
            }
        }

        RandomAccess.SetLength(handle, lengthBytes);
        return 0;
    }

    /// <summary>fsync of a directory, so that files created, renamed or deleted in it survive a crash. No-op on Windows.</summary>
    public static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        int fd = UnixOpen(directory, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
        {
            ThrowIo("open (directory)", directory, Marshal.GetLastPInvokeError());
        }

        try
        {
            while (UnixFsyncFd(fd) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno != EINTR)
                {
                    ThrowIo("fsync (directory)", directory, errno);
                }
            }
        }
        finally
        {
            _ = UnixClose(fd);
        }
    }

    /// <summary>open(2) of an existing file with <paramref name="flags"/>, retried on EINTR; the descriptor, or -1 with the errno in <see cref="Marshal.GetLastPInvokeError"/>.</summary>
    public static int Open(string path, int flags)
    {
        while (true)
        {
            int fd = UnixOpen(path, flags);
            if (fd >= 0 || Marshal.GetLastPInvokeError() != EINTR)
            {
                return fd;
            }
        }
    }

    /// <summary>Atomic rename on one file system. Returns 0 or the errno (EXDEV across file systems).</summary>
    public static int TryRename(string from, string to)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                File.Move(from, to, overwrite: true);
                return 0;
            }
            catch (IOException)
            {
                return EXDEV;
            }
        }

        return UnixRename(from, to) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    public static bool IsDiskFull(Exception exception) => exception switch
    {
        JournalFullException => true,
        IOException io => io.HResult == ENOSPC
            || (io.HResult & 0xFFFF) == 112 /* ERROR_DISK_FULL */
            || (io.HResult & 0xFFFF) == 39 /* ERROR_HANDLE_DISK_FULL */
            || io.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void ThrowIo(string call, string path, int errno) =>
        throw new IOException($"{call} failed for '{path}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno);
}
