using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace PaymentSwitch.Journal.Internal;

/// <summary>
/// Strict appends without the page cache: the active segment opened a second time with <c>O_DIRECT | O_DSYNC</c>, so
/// one <c>pwrite</c> both writes a batch and makes it durable (the device writes it through, or the kernel flushes its
/// cache before returning), instead of a buffered write, a copy into the page cache and a separate
/// <c>fdatasync</c>. Owned by the writer thread.
/// </summary>
/// <remarks>
/// <para>
/// Direct I/O moves whole aligned blocks from an aligned buffer. Appends rarely end on a block boundary, so the writer
/// keeps the last, partly filled block of the segment in its buffer: each write copies the batch after those bytes,
/// pads the block with zeros and writes from that block's start. The bytes written again are the same bytes, so a
/// write torn by a power cut leaves either their old or their new copy, both identical; only the new records can be
/// torn, which recovery cuts off as a torn tail (CRC), exactly as with buffered writes. The zeros after the last
/// record are what a zero-filled or preallocated segment holds there already.
/// </para>
/// <para>
/// Used only on Linux x64 and arm64 (the flag values differ by architecture) and only for segments whose size is a
/// whole number of blocks. A file system without <c>O_DIRECT</c> (ramfs, tmpfs before Linux 6.6, some network file
/// systems) refuses the open with EINVAL, and a device that needs a larger alignment refuses the first read; the
/// journal then keeps buffered writes and <c>fdatasync</c> for that segment.
/// </para>
/// </remarks>
internal sealed unsafe class DirectSegmentWriter : IDisposable
{
    /// <summary>Alignment of buffer, offsets and lengths: 4 KiB covers devices with 512-byte and 4 KiB logical blocks.</summary>
    public const int BlockBytes = 4096;

    private const int O_RDWR = 2;
    private const int O_DSYNC = 0x1000;    // x64 and arm64
    private const int O_CLOEXEC = 0x80000; // x64 and arm64

    private readonly byte* _allocation;
    private readonly byte* _buffer; // _allocation, or off by a few bytes in the test of the misaligned fallback
    private readonly int _capacity;
    private readonly int _directFlag;
    private SafeFileHandle? _handle;
    private string _path = "";
    private long _tailBlockOffset; // file offset of the block held at the start of the buffer
    private int _tailBytes;        // bytes of that block that hold data
    private bool _disposed;

    private DirectSegmentWriter(int maxWriteBytes, int directFlag, int misalignment)
    {
        // Room for one partial block before the largest write and one block of padding after it.
        _capacity = checked(AlignUp(maxWriteBytes) + (2 * BlockBytes));
        _allocation = (byte*)NativeMemory.AlignedAlloc((nuint)(_capacity + BlockBytes), BlockBytes);
        _buffer = _allocation + misalignment;
        _directFlag = directFlag;
    }

    /// <summary>The segment being written, or null between segments.</summary>
    public string? AttachedPath => _handle is null ? null : _path;

    /// <summary>
    /// A writer for batches of up to <paramref name="maxWriteBytes"/>, or null where direct I/O is not used (not Linux,
    /// or an architecture whose <c>O_DIRECT</c> value is not known here).
    /// </summary>
    public static DirectSegmentWriter? TryCreate(int maxWriteBytes) => TryCreate(maxWriteBytes, misalignment: 0);

    /// <summary>
    /// As <see cref="TryCreate(int)"/>; <paramref name="misalignment"/> shifts the buffer off its 4 KiB boundary, which
    /// only the test of the fallback for devices that need a larger alignment uses.
    /// </summary>
    internal static DirectSegmentWriter? TryCreate(int maxWriteBytes, int misalignment)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        int flag = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 0x4000,
            Architecture.Arm64 => 0x10000,
            _ => 0,
        };
        return flag == 0 ? null : new DirectSegmentWriter(maxWriteBytes, flag, misalignment);
    }

    /// <summary>
    /// Opens <paramref name="path"/> for direct, synchronous writes from <paramref name="writeOffset"/> on and loads the
    /// block that offset falls in. False when the segment's size is not a whole number of blocks, the file system does
    /// not do direct I/O, or the device refuses 4 KiB-aligned direct reads (EINVAL): then nothing is attached and the
    /// caller writes through the page cache.
    /// </summary>
    public bool TryAttach(string path, long writeOffset, long capacityBytes)
    {
        Detach();
        if (capacityBytes % BlockBytes != 0)
        {
            return false;
        }

        int fd = NativeMethods.Open(path, O_RDWR | O_DSYNC | O_CLOEXEC | _directFlag);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == NativeMethods.EINVAL)
            {
                return false;
            }

            throw new IOException($"open (O_DIRECT | O_DSYNC) failed for '{path}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno);
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            _tailBlockOffset = writeOffset & ~(long)(BlockBytes - 1);
            _tailBytes = (int)(writeOffset - _tailBlockOffset);

            // Read the block the next write starts in: its first bytes (the segment header, earlier records) go out again
            // with that write. The read is also the probe: a device whose direct I/O needs a larger alignment than
            // 4 KiB refuses it with EINVAL, and then this segment is written through the page cache instead.
            int read = RandomAccess.Read(handle, new Span<byte>(_buffer, BlockBytes), _tailBlockOffset);
            if (read < _tailBytes)
            {
                throw new IOException($"reading the last block of '{path}' at offset {_tailBlockOffset} returned {read} of {_tailBytes} bytes");
            }
        }
        catch (IOException ex) when (ex.HResult == NativeMethods.EINVAL)
        {
            handle.Dispose();
            _tailBlockOffset = 0;
            _tailBytes = 0;
            return false;
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        _handle = handle;
        _path = path;
        return true;
    }

    /// <summary>
    /// Writes <paramref name="data"/> at <paramref name="offset"/>, which must be where the previous write ended; the
    /// bytes are durable when this returns.
    /// </summary>
    public void Write(ReadOnlySpan<byte> data, long offset)
    {
        SafeFileHandle handle = _handle ?? throw new InvalidOperationException("no segment attached");
        if (offset != _tailBlockOffset + _tailBytes)
        {
            throw new InvalidOperationException($"direct write at {offset}, but the segment '{_path}' ends at {_tailBlockOffset + _tailBytes}");
        }

        while (!data.IsEmpty)
        {
            int chunk = Math.Min(data.Length, _capacity - BlockBytes - _tailBytes);
            data[..chunk].CopyTo(new Span<byte>(_buffer + _tailBytes, chunk));
            data = data[chunk..];
            int filled = _tailBytes + chunk;
            int padded = AlignUp(filled);
            new Span<byte>(_buffer + filled, padded - filled).Clear();
            RandomAccess.Write(handle, new ReadOnlySpan<byte>(_buffer, padded), _tailBlockOffset);

            // Keep the last partial block at the start of the buffer for the next write.
            int whole = filled & ~(BlockBytes - 1);
            _tailBlockOffset += whole;
            _tailBytes = filled - whole;
            if (whole > 0 && _tailBytes > 0)
            {
                Buffer.MemoryCopy(_buffer + whole, _buffer, BlockBytes, _tailBytes);
            }
        }
    }

    /// <summary>Closes the direct handle of the current segment (if any).</summary>
    public void Detach()
    {
        _handle?.Dispose();
        _handle = null;
        _path = "";
        _tailBlockOffset = 0;
        _tailBytes = 0;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Detach();
        NativeMemory.AlignedFree(_allocation);
    }

    private static int AlignUp(int bytes) => checked((bytes + BlockBytes - 1) & ~(BlockBytes - 1));
}
