using Orleans.Concurrency;
using Webhooks.Deliveries;

namespace Webhooks.DeliveryLog;

/// <summary>Reads this silo's in-memory delivery log for <see cref="MemoryDeliveryLog"/>.</summary>
[GrainType("silo-delivery-log"), SiloPinnedPlacement, Reentrant]
internal sealed class SiloDeliveryLogGrain(IDeliveryStore store) : Grain, ISiloDeliveryLogGrain
{
    public Task<DeliveryRecord?> GetAsync(string endpointId, long sequence, CancellationToken cancellationToken) =>
        store.GetAsync(endpointId, sequence, cancellationToken);

    public Task<DeliveryPage> QueryAsync(DeliveryQuery query, CancellationToken cancellationToken) =>
        store.QueryAsync(query, cancellationToken);
}
