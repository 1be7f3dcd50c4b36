using System.Diagnostics;

namespace PaymentSwitch.Journal.Internal;

/// <summary>
/// One of the two record buffers of group commit: appenders fill one (under the append lock) while the writer
/// writes the other. Records are stored already encoded (header, payload, CRC), in sequence order, back to back.
/// </summary>
internal sealed class PendingBatch
{
    private readonly byte[] _buffer;
    private readonly AppendCompletion?[] _completions;
    private readonly int[] _recordEnds;

    public PendingBatch(int capacityBytes)
    {
        _buffer = GC.AllocateUninitializedArray<byte>(capacityBytes, pinned: true);
        int maxRecords = (capacityBytes / JournalFormat.RecordHeaderSize) + 1;
        _completions = new AppendCompletion?[maxRecords];
        _recordEnds = new int[maxRecords];
    }

    public int Count { get; private set; }

    public int LengthBytes { get; private set; }

    public long FirstSequence { get; private set; }

    public ReadOnlySpan<byte> Bytes => _buffer.AsSpan(0, LengthBytes);

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, LengthBytes);

    /// <summary>Offset just after record <paramref name="index"/> in <see cref="Bytes"/>.</summary>
    public int RecordEnd(int index) => _recordEnds[index];

    public bool Fits(int payloadLength) =>
        LengthBytes + JournalFormat.RecordHeaderSize + payloadLength <= _buffer.Length && Count < _completions.Length;

    /// <summary>Encodes the record at the end of the buffer. Caller checked <see cref="Fits"/> and holds the append lock.</summary>
    public void Add(long sequence, long timestampUnixMs, byte recordType, ReadOnlySpan<byte> payload, AppendCompletion completion)
    {
        Debug.Assert(Fits(payload.Length));
        if (Count == 0)
        {
            FirstSequence = sequence;
        }

        Debug.Assert(sequence == FirstSequence + Count, "records must be buffered in sequence order");
        LengthBytes += JournalFormat.WriteRecord(_buffer.AsSpan(LengthBytes), sequence, timestampUnixMs, recordType, payload);
        _completions[Count] = completion;
        _recordEnds[Count] = LengthBytes;
        Count++;
    }

    /// <summary>Takes the completion of record <paramref name="index"/> out of the batch (each is completed exactly once).</summary>
    public AppendCompletion? TakeCompletion(int index)
    {
        AppendCompletion? completion = _completions[index];
        _completions[index] = null;
        return completion;
    }

    public void Clear()
    {
        Array.Clear(_completions, 0, Count);
        Count = 0;
        LengthBytes = 0;
        FirstSequence = 0;
    }
}
