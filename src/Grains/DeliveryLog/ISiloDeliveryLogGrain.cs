using Webhooks.Deliveries;

namespace Webhooks.DeliveryLog;

/// <summary>The delivery log held in one silo's memory (key: the silo, see <see cref="SiloPinnedPlacement"/>).</summary>
[Alias("webhooks.ISiloDeliveryLogGrain")]
public interface ISiloDeliveryLogGrain : IGrainWithStringKey
{
    [Alias("GetAsync")]
    Task<DeliveryRecord?> GetAsync(string endpointId, long sequence, CancellationToken cancellationToken = default);

    [Alias("QueryAsync")]
    Task<DeliveryPage> QueryAsync(DeliveryQuery query, CancellationToken cancellationToken = default);
}
