using Webhooks.Deliveries;

namespace Webhooks.DeliveryLog;

/// <summary>The embedded default's delivery log: each silo keeps the deliveries of the endpoints it has hosted, so
/// a read asks every active silo and merges their pages.</summary>
internal sealed class MemoryDeliveryLog(IGrainFactory grains, IClusterMembershipService membership) : IDeliveryLog
{
    public async Task<DeliveryRecord?> GetAsync(string endpointId, long sequence, CancellationToken cancellationToken)
    {
        var found = await Task.WhenAll(Silos().Select(silo => silo.GetAsync(endpointId, sequence, cancellationToken)));
        return found.FirstOrDefault(r => r is not null);
    }

    public async Task<DeliveryPage> QueryAsync(DeliveryQuery query, CancellationToken cancellationToken)
    {
        var pages = await Task.WhenAll(Silos().Select(silo => silo.QueryAsync(query, cancellationToken)));
        return DeliveryPages.Merge(pages, query.PageSize);
    }

    private IEnumerable<ISiloDeliveryLogGrain> Silos() =>
        membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .Select(m => grains.GetGrain<ISiloDeliveryLogGrain>(SiloPinnedPlacement.KeyFor(m.SiloAddress)));
}
