using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Webhooks.Tests.Infrastructure;

/// <summary>What a long test did when: each mark carries the UTC wall-clock time, to line up with the silos' logs
/// (which are stamped the same way), and the seconds since the test started.</summary>
public sealed class Timeline
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<string> _lines = new();

    public IEnumerable<string> Lines => _lines;

    /// <summary>Records <paramref name="what"/> and returns the stamped line.</summary>
    public string Mark(string what)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss.fff} {_clock.Elapsed.TotalSeconds,6:0.0} s  {what}");
        _lines.Enqueue(line);
        return line;
    }
}
