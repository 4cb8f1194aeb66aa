using System.Globalization;

namespace Webhooks.Tests.Infrastructure;

/// <summary>How a kill test ends: waits until every expected (endpoint, event id) pair has reached the receiver or the
/// timeout passes, then counts what never arrived, what arrived more than once and what arrived unasked. The test
/// asserts on the counts with its own thresholds.</summary>
public sealed class DeliveryCheck
{
    private readonly DeliveryTally _tally;

    private DeliveryCheck(DeliveryTally tally, List<(int Endpoint, string EventId)> expected)
    {
        _tally = tally;
        Expected = expected;
        Missing = tally.Missing(expected);
        Duplicates = tally.Duplicates(expected);
        Unexpected = tally.Unexpected(expected.ToHashSet());
    }

    public IReadOnlyList<(int Endpoint, string EventId)> Expected { get; }

    /// <summary>Expected pairs that never arrived, in the order expected.</summary>
    public IReadOnlyList<(int Endpoint, string EventId)> Missing { get; }

    /// <summary>Arrivals beyond the first of each expected pair.</summary>
    public long Duplicates { get; }

    /// <summary>Arrivals of pairs not expected: events whose publish never returned, yet one went through.</summary>
    public long Unexpected { get; }

    /// <summary>Every request the receiver got under the path prefix and elsewhere.</summary>
    public long Requests => _tally.Requests;

    /// <summary>"N of M expected deliveries never arrived, e.g. …": the first ten missing pairs.</summary>
    public string MissingExamples =>
        $"{Missing.Count} of {Expected.Count} expected deliveries never arrived, e.g. " +
        string.Join(", ", Missing.Take(10).Select(m => $"{m.EventId} at ep{m.Endpoint}"));

    /// <summary>Polls the receiver every 250 ms until nothing expected is missing or <paramref name="timeout"/> passes,
    /// then counts.</summary>
    public static async Task<DeliveryCheck> WaitAsync(TestReceiver receiver, string pathPrefix, List<(int Endpoint, string EventId)> expected, TimeSpan timeout)
    {
        var tally = new DeliveryTally(receiver, pathPrefix);
        var deadline = DateTime.UtcNow + timeout;
        var missing = expected;
        using (var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(250)))
        {
            do
            {
                tally.Update();
                // Only what was still missing: each round reads less.
                missing = tally.Missing(missing);
            }
            while (missing.Count > 0 && DateTime.UtcNow < deadline && await poll.WaitForNextTickAsync());
        }

        tally.Update();
        return new DeliveryCheck(tally, expected);
    }

    public string MissingByEndpoint(int endpointCount) =>
        string.Join(", ", Enumerable.Range(0, endpointCount).Select(k => $"ep{k} {Missing.Count(m => m.Endpoint == k)}"));

    public string DuplicatesByEndpoint(int endpointCount) =>
        string.Join(", ", Enumerable.Range(0, endpointCount).Select(k => $"ep{k} {_tally.Duplicates(Expected.Where(e => e.Endpoint == k))}"));

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"expected deliveries {Expected.Count}; received requests {Requests}; delivered (distinct) {Expected.Count - Missing.Count}; " +
        $"missing {Missing.Count} ({Missing.Select(m => m.EventId).Distinct().Count()} events); " +
        $"duplicates {Duplicates} ({(Expected.Count == 0 ? 0 : 100.0 * Duplicates / Expected.Count):0.00} %); " +
        $"deliveries of events never accepted {Unexpected}");
}
