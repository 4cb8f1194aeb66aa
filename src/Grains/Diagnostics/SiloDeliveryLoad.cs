using System.Collections.Concurrent;

namespace Webhooks.Diagnostics;

/// <summary>The deliveries this silo's endpoint activations hold, summed when the metrics are read (a scrape), not
/// counted as they change: an activation registers how to read its counts while it lives.</summary>
public sealed class SiloDeliveryLoad
{
    private readonly ConcurrentDictionary<object, Func<(long Queued, int InFlight)>> _endpoints = new(ReferenceEqualityComparer.Instance);

    public long Queued => _endpoints.Values.Sum(read => read().Queued);

    public long InFlight => _endpoints.Values.Sum(read => (long)read().InFlight);

    /// <summary>Counts <paramref name="owner"/>'s deliveries until the returned registration is disposed.</summary>
    /// <param name="read">Called on a scrape's thread: it reads counters the grain changes, which may be a moment old.</param>
    public IDisposable Register(object owner, Func<(long Queued, int InFlight)> read)
    {
        _endpoints[owner] = read;
        return new Registration(this, owner);
    }

    private sealed class Registration(SiloDeliveryLoad load, object owner) : IDisposable
    {
        public void Dispose() => load._endpoints.TryRemove(owner, out _);
    }
}
