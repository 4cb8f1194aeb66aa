using System.Globalization;

namespace Webhooks.Tests.Infrastructure;

/// <summary>When deliveries reached a <see cref="TestReceiver"/> (its <see cref="ReceivedRequest.ArrivedAt"/>, the
/// test process's clock): every arrival under a path prefix and the first arrival of each (endpoint, event id), read
/// once to measure after the fact how long deliveries stalled and how long events took.</summary>
public sealed class ArrivalTimeline
{
    private readonly List<(int Endpoint, DateTimeOffset At)> _arrivals = [];
    private readonly Dictionary<(int Endpoint, string EventId), DateTimeOffset> _first = [];

    public ArrivalTimeline(IEnumerable<ReceivedRequest> requests, string pathPrefix)
    {
        foreach (var request in requests)
        {
            if (DeliveryTally.Read(request, pathPrefix) is { } key)
            {
                _arrivals.Add((key.Endpoint, request.ArrivedAt));
                if (!_first.TryGetValue(key, out var first) || request.ArrivedAt < first)
                {
                    _first[key] = request.ArrivedAt;
                }
            }
        }

        _arrivals.Sort((x, y) => x.At.CompareTo(y.At));
    }

    /// <summary>The longest stretch between <paramref name="from"/> and <paramref name="to"/> in which no delivery
    /// arrived (the window's edges count as arrivals), and when it began; with <paramref name="endpoints"/>, no
    /// delivery to any of those.</summary>
    public (TimeSpan Gap, DateTimeOffset Start) LongestGap(DateTimeOffset from, DateTimeOffset to, IReadOnlyCollection<int>? endpoints = null)
    {
        var (gap, start, previous) = (TimeSpan.Zero, from, from);
        var arrivals = _arrivals.Where(a => endpoints is null || endpoints.Contains(a.Endpoint)).Select(a => a.At);
        foreach (var at in arrivals.Where(at => at > from && at < to).Append(to))
        {
            if (at - previous > gap)
            {
                (gap, start) = (at - previous, previous);
            }

            previous = at;
        }

        return (gap, start);
    }

    /// <summary>The first arrival at <paramref name="endpoint"/> after <paramref name="after"/>; null when none yet.</summary>
    public DateTimeOffset? FirstArrivalAfter(int endpoint, DateTimeOffset after) =>
        _arrivals.Where(a => a.Endpoint == endpoint && a.At > after).Select(a => (DateTimeOffset?)a.At).FirstOrDefault();

    public DateTimeOffset? FirstArrival(int endpoint, string eventId) =>
        _first.TryGetValue((endpoint, eventId), out var at) ? at : null;

    /// <summary>Arrivals (duplicates included) per endpoint index in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public Dictionary<int, int> PerEndpoint(DateTimeOffset from, DateTimeOffset to) =>
        _arrivals.Where(a => a.At >= from && a.At < to).GroupBy(a => a.Endpoint).ToDictionary(g => g.Key, g => g.Count());
}

/// <summary>Publish-to-arrival latencies of a set of deliveries: nearest-rank percentiles of those that arrived, and
/// how many did not.</summary>
public sealed record LatencySummary(int Count, TimeSpan P50, TimeSpan P99, TimeSpan Max, int NotArrived)
{
    public static LatencySummary Of(IEnumerable<TimeSpan?> latencies)
    {
        var all = latencies.ToList();
        var sorted = all.OfType<TimeSpan>().Order().ToList();
        return sorted.Count == 0
            ? new LatencySummary(0, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, all.Count)
            : new LatencySummary(sorted.Count, Rank(sorted, 0.50), Rank(sorted, 0.99), sorted[^1], all.Count - sorted.Count);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Count} deliveries: p50 {P50.TotalMilliseconds:0} ms, p99 {P99.TotalMilliseconds:0} ms, max {Max.TotalMilliseconds:0} ms{(NotArrived > 0 ? $", {NotArrived} not arrived" : "")}");

    private static TimeSpan Rank(List<TimeSpan> sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
