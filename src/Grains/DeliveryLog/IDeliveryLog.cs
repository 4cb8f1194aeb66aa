using Webhooks.Deliveries;

namespace Webhooks.DeliveryLog;

/// <summary>The delivery log as people read it: one delivery, or pages across endpoints, newest first. Reads never
/// pass through endpoint grains, which are busy delivering.</summary>
public interface IDeliveryLog
{
    Task<DeliveryRecord?> GetAsync(string endpointId, long sequence, CancellationToken cancellationToken);

    /// <summary>One page, after the query's page token; <see cref="DeliveryQuery.PageSize"/> is already bounded.</summary>
    Task<DeliveryPage> QueryAsync(DeliveryQuery query, CancellationToken cancellationToken);
}
