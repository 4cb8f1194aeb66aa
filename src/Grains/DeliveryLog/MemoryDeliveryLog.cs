using Webhooks.Deliveries;

namespace Webhooks.DeliveryLog;

/// <summary>The embedded default's delivery log: each silo keeps the deliveries of the endpoints it has hosted, so
/// a read asks every active silo and merges their pages. A silo that is leaving or has just left answers nothing:
/// its memory, and the log in it, go with it.</summary>
internal sealed class MemoryDeliveryLog(IGrainFactory grains, IClusterMembershipService membership) : IDeliveryLog
{
    public async Task<DeliveryRecord?> GetAsync(string endpointId, long sequence, CancellationToken cancellationToken)
    {
        var found = await Task.WhenAll(Silos().Select(silo => AskAsync(silo, s => s.GetAsync(endpointId, sequence, cancellationToken), null)));
        return found.FirstOrDefault(r => r is not null);
    }

    public async Task<DeliveryPage> QueryAsync(DeliveryQuery query, CancellationToken cancellationToken)
    {
        var pages = await Task.WhenAll(Silos().Select(silo => AskAsync(silo, s => s.QueryAsync(query, cancellationToken), new DeliveryPage())));
        return DeliveryPages.Merge(pages, query.PageSize);
    }

    private static async Task<T> AskAsync<T>(ISiloDeliveryLogGrain silo, Func<ISiloDeliveryLogGrain, Task<T>> read, T whenGone)
    {
        try
        {
            return await read(silo);
        }
        catch (Exception ex) when (ex is SiloUnavailableException or OrleansMessageRejectionException)
        {
            return whenGone;
        }
    }

    private IEnumerable<ISiloDeliveryLogGrain> Silos() =>
        membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .Select(m => grains.GetGrain<ISiloDeliveryLogGrain>(SiloPinnedPlacement.KeyFor(m.SiloAddress)));
}
