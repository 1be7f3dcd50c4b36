namespace PaymentSwitch.LoadTest.Internal;

/// <summary>
/// The first few error descriptions of a run, for the report. Bounded: once <see cref="Capacity"/> are kept, further
/// errors are only counted (and callers skip formatting them by checking <see cref="IsFull"/>). Never holds a card
/// number: callers describe fields other than DE2, 35, 45, 52.
/// </summary>
internal sealed class ErrorSamples(int capacity)
{
    private readonly Lock _lock = new();
    private readonly List<string> _samples = new(capacity);

    public int Capacity { get; } = capacity;

    public bool IsFull => Volatile.Read(ref _count) >= Capacity;

    private int _count;

    public void Add(string sample)
    {
        lock (_lock)
        {
            if (_samples.Count >= Capacity) return;
            _samples.Add(sample);
            _count = _samples.Count;
        }
    }

    public string[] ToArray()
    {
        lock (_lock) return [.. _samples];
    }
}
