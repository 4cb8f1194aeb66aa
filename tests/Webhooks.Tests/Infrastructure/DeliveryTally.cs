
namespace Webhooks.Tests.Infrastructure;

/// <summary>Counts what a <see cref="TestReceiver"/> got, as (endpoint, event id) pairs: deliveries are POSTed to
/// {prefix}{endpoint index} with the event id as the whole body. Reads only the requests that arrived since the
/// last call, so polling it stays cheap.</summary>
public sealed class DeliveryTally(TestReceiver receiver, string pathPrefix)
{
    private readonly Dictionary<(int Endpoint, string EventId), int> _counts = [];
    private int _read;

    public long Requests { get; private set; }

    /// <summary>Requests that are not a delivery of this test (another path or an unreadable endpoint).</summary>
    public long Foreign { get; private set; }

    /// <summary>Reads the requests that arrived since the last call.</summary>
    public void Update()
    {
        var all = receiver.Requests;
        for (; _read < all.Count; _read++)
        {
            Requests++;
            if (Read(all[_read], pathPrefix) is not { } key)
            {
                Foreign++;
                continue;
            }

            _counts[key] = _counts.GetValueOrDefault(key) + 1;
        }
    }

    /// <summary>The (endpoint, event id) a request delivered; null when it is not a delivery under
    /// <paramref name="pathPrefix"/>.</summary>
    public static (int Endpoint, string EventId)? Read(ReceivedRequest request, string pathPrefix) =>
        request.Path.StartsWith(pathPrefix, StringComparison.Ordinal)
        && int.TryParse(request.Path.AsSpan(pathPrefix.Length), System.Globalization.CultureInfo.InvariantCulture, out var endpoint)
            ? (endpoint, request.BodyText.Trim())
            : null;

    public int Count(int endpoint, string eventId) => _counts.GetValueOrDefault((endpoint, eventId));

    /// <summary>Expected pairs that have not arrived, in the order given.</summary>
    public List<(int Endpoint, string EventId)> Missing(IEnumerable<(int Endpoint, string EventId)> expected) =>
        [.. expected.Where(pair => !_counts.ContainsKey(pair))];

    /// <summary>Arrivals beyond the first of each expected pair.</summary>
    public long Duplicates(IEnumerable<(int Endpoint, string EventId)> expected) =>
        expected.Sum(pair => (long)Math.Max(0, _counts.GetValueOrDefault(pair) - 1));

    /// <summary>Pairs that arrived but were not expected, e.g. events whose every publish attempt failed but one
    /// was accepted anyway.</summary>
    public long Unexpected(IReadOnlySet<(int Endpoint, string EventId)> expected) =>
        _counts.Where(c => !expected.Contains(c.Key)).Sum(c => (long)c.Value);
}
