namespace Webhooks.Endpoints;

/// <summary>The durations of the most recent attempts, and their percentiles: what a dashboard shows as an
/// endpoint's latency now, not since it started.</summary>
/// <remarks>Not thread-safe: the endpoint grain's turns use it one at a time.</remarks>
internal sealed class RecentLatencies(int capacity = 256)
{
    private readonly TimeSpan[] _ring = new TimeSpan[capacity];
    private int _count;
    private int _next;

    public void Add(TimeSpan duration)
    {
        _ring[_next] = duration;
        _next = (_next + 1) % _ring.Length;
        _count = Math.Min(_count + 1, _ring.Length);
    }

    /// <summary>The 50th, 95th and 99th percentiles (nearest rank); null before the first attempt.</summary>
    public (TimeSpan P50, TimeSpan P95, TimeSpan P99)? Percentiles()
    {
        if (_count == 0)
        {
            return null;
        }

        var sorted = _ring[.._count];
        Array.Sort(sorted);
        return (Rank(sorted, 0.50), Rank(sorted, 0.95), Rank(sorted, 0.99));
    }

    private static TimeSpan Rank(TimeSpan[] sorted, double percentile) =>
        sorted[Math.Clamp((int)Math.Ceiling(percentile * sorted.Length) - 1, 0, sorted.Length - 1)];
}
