using System.Buffers;

namespace PaymentSwitch.Iso8583.Tests.Support;

/// <summary>Builds a <see cref="ReadOnlySequence{T}"/> over several segments, as a PipeReader may hand them out.</summary>
internal sealed class Segment : ReadOnlySequenceSegment<byte>
{
    private Segment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public static ReadOnlySequence<byte> Split(byte[] data, params int[] cutPoints)
    {
        var bounds = cutPoints.Where(c => c > 0 && c < data.Length).Distinct().Order().Append(data.Length).ToArray();
        Segment first = new(data.AsMemory(0, bounds[0]), 0);
        Segment last = first;
        for (int i = 1; i < bounds.Length; i++)
        {
            var next = new Segment(data.AsMemory(bounds[i - 1], bounds[i] - bounds[i - 1]), bounds[i - 1]);
            last.Next = next;
            last = next;
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] data) => Split(data, Enumerable.Range(1, data.Length).ToArray());
}
