namespace Webhooks.Endpoints;

/// <summary>Events per second over the last minute, from one counter per second: constant memory and constant work
/// per event, however many there are.</summary>
/// <remarks>Not thread-safe: the endpoint grain's turns use it one at a time.</remarks>
internal sealed class ThroughputWindow
{
    private const int Seconds = 60;

    private readonly long[] _counts = new long[Seconds];
    private readonly long[] _stamps = new long[Seconds];

    public void Add(DateTimeOffset at)
    {
        var second = at.ToUnixTimeSeconds();
        var slot = (int)(second % Seconds);
        if (_stamps[slot] != second)
        {
            _stamps[slot] = second;
            _counts[slot] = 0;
        }

        _counts[slot]++;
    }

    /// <summary>The average rate over the minute before <paramref name="now"/> (the current second included).</summary>
    public double PerSecond(DateTimeOffset now)
    {
        var second = now.ToUnixTimeSeconds();
        long total = 0;
        for (var i = 0; i < Seconds; i++)
        {
            if (second - _stamps[i] is >= 0 and < Seconds)
            {
                total += _counts[i];
            }
        }

        return total / (double)Seconds;
    }
}
