using System.IO.MemoryMappedFiles;
using Microsoft.Win32.SafeHandles;

namespace PaymentSwitch.Journal.Internal;

/// <summary>A read-only memory map of a whole segment file, for scanning. Opened with sharing so it works beside a live writer.</summary>
internal sealed unsafe class SegmentView : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _pointer;
    private readonly int _length;

    private SegmentView(SafeFileHandle handle, MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte* pointer, int length)
    {
        _handle = handle;
        _map = map;
        _view = view;
        _pointer = pointer;
        _length = length;
    }

    /// <summary>The file's bytes.</summary>
    public ReadOnlySpan<byte> Span => _length == 0 ? default : new ReadOnlySpan<byte>(_pointer, _length);

    public static SegmentView Open(string path)
    {
        SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            long length = RandomAccess.GetLength(handle);
            if (length > int.MaxValue)
            {
                throw new IOException($"segment file '{path}' is {length} bytes; segments larger than 2 GiB are not journal segments");
            }

            if (length == 0)
            {
                return new SegmentView(handle, null, null, null, 0);
            }

            MemoryMappedFile map = MemoryMappedFile.CreateFromFile(handle, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
            MemoryMappedViewAccessor view;
            try
            {
                view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            }
            catch
            {
                map.Dispose();
                throw;
            }

            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            pointer += view.PointerOffset;
            return new SegmentView(handle, map, view, pointer, (int)length);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }

        _map?.Dispose();
        _handle.Dispose();
    }
}
