using System.Diagnostics;
using Webhooks.Benchmarks.Receiver;
using Webhooks.Benchmarks.Workload;

namespace Webhooks.Benchmarks.Harness;

/// <summary>What the receiver saw, checked against what the scenario must produce.</summary>
public sealed record DeliveryReport
{
    public long Expected { get; init; }
    /// <summary>Expected (event, webhook) pairs that arrived at least once.</summary>
    public long Delivered { get; init; }
    public long Lost => Expected - Delivered;
    /// <summary>Arrivals beyond the first of an expected pair.</summary>
    public long Duplicated { get; init; }
    /// <summary>Arrivals for pairs the scenario must not deliver (e.g. a rejected condition).</summary>
    public long Unexpected { get; init; }
    /// <summary>Expected pairs that arrived at the wrong endpoint.</summary>
    public long Misrouted { get; init; }
    /// <summary>Arrivals from outside the measured events (warm-up stragglers, unparseable bodies).</summary>
    public long Stray { get; init; }
    /// <summary>Stopwatch ticks of the last first-arrival of an expected pair.</summary>
    public long LastArrivalTicks { get; init; }
    public LatencySummary? Latency { get; init; }
    /// <summary>Latency by the second (of the publisher's clock) in which each event was sent: shows whether a
    /// tail comes from a few stalls or from a queue that keeps growing.</summary>
    public IReadOnlyList<LatencySecond> Timeline { get; init; } = [];
}

public sealed record LatencySecond(int Second, int Deliveries, double P50Ms, double P99Ms, double MaxMs);

public sealed record LatencySummary(double P50Ms, double P95Ms, double P99Ms, double MaxMs, double MeanMs)
{
    /// <summary>Nearest-rank percentiles of Stopwatch tick durations.</summary>
    public static LatencySummary? From(long[] ticks, int count)
    {
        if (count == 0)
        {
            return null;
        }

        Array.Sort(ticks, 0, count);
        double Ms(long t) => Math.Round(t * 1000.0 / Stopwatch.Frequency, 3);
        long At(double p) => ticks[Math.Clamp((int)Math.Ceiling(p * count) - 1, 0, count - 1)];
        double sum = 0;
        for (var i = 0; i < count; i++)
        {
            sum += ticks[i];
        }

        return new LatencySummary(Ms(At(0.50)), Ms(At(0.95)), Ms(At(0.99)), Ms(ticks[count - 1]), Math.Round(sum / count * 1000.0 / Stopwatch.Frequency, 3));
    }
}

public static class DeliveryCheck
{
    /// <summary>Counts every arrival against the scenario's expected pairs for events [0, events).</summary>
    public static DeliveryReport Analyze(Arrival[] arrivals, Scenario scenario, int events, long expected)
    {
        var webhooks = scenario.Webhooks;
        var seen = new byte[(long)events * webhooks];
        var latencies = new long[Math.Min(arrivals.Length, expected)];
        var sent = new long[latencies.Length];
        long delivered = 0, duplicated = 0, unexpected = 0, misrouted = 0, stray = 0, last = 0;
        foreach (var a in arrivals)
        {
            if (a.ArrivedTicks == 0 || a.Event < 0 || a.Event >= events || a.Webhook < 0 || a.Webhook >= webhooks)
            {
                stray++;
                continue;
            }

            if (!scenario.Matches(a.Event, a.Webhook))
            {
                unexpected++;
                continue;
            }

            if (a.Endpoint != scenario.EndpointOf(a.Webhook))
            {
                misrouted++;
                continue;
            }

            var index = ((long)a.Event * webhooks) + a.Webhook;
            if (seen[index] != 0)
            {
                duplicated++;
                continue;
            }

            seen[index] = 1;
            if (delivered < latencies.Length)
            {
                latencies[delivered] = a.ArrivedTicks - a.SentTicks;
                sent[delivered] = a.SentTicks;
            }

            delivered++;
            last = Math.Max(last, a.ArrivedTicks);
        }

        var measured = (int)Math.Min(delivered, latencies.Length);
        var timeline = Timeline(sent, latencies, measured);
        return new DeliveryReport
        {
            Timeline = timeline,
            Expected = expected,
            Delivered = delivered,
            Duplicated = duplicated,
            Unexpected = unexpected,
            Misrouted = misrouted,
            Stray = stray,
            LastArrivalTicks = last,
            Latency = LatencySummary.From(latencies, measured),
        };
    }

    private static List<LatencySecond> Timeline(long[] sent, long[] latencies, int count)
    {
        if (count == 0)
        {
            return [];
        }

        var first = sent.AsSpan(0, count).ToArray().Min();
        var seconds = latencies.Take(count)
            .Select((latency, i) => (Second: (int)((sent[i] - first) / Stopwatch.Frequency), Latency: latency))
            .GroupBy(x => x.Second)
            .OrderBy(g => g.Key);
        var timeline = new List<LatencySecond>();
        foreach (var second in seconds)
        {
            var ticks = second.Select(x => x.Latency).ToArray();
            var summary = LatencySummary.From(ticks, ticks.Length)!;
            timeline.Add(new LatencySecond(second.Key, ticks.Length, summary.P50Ms, summary.P99Ms, summary.MaxMs));
        }

        return timeline;
    }
}
