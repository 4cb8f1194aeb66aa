using Webhooks.Deliveries;

namespace Webhooks.Delivery;

/// <summary>Where an endpoint grain records its deliveries and their attempts: the delivery log.</summary>
/// <remarks>Called only by the endpoint grain that owns the records, one turn at a time.</remarks>
public interface IDeliveryStore
{
    /// <summary>Records a new delivery before its first attempt.</summary>
    Task AddAsync(DeliveryRecord record, CancellationToken cancellationToken = default);

    /// <summary>Replaces a delivery after an attempt.</summary>
    Task UpdateAsync(DeliveryRecord record, CancellationToken cancellationToken = default);

    Task<DeliveryRecord?> GetAsync(string endpointId, long sequence, CancellationToken cancellationToken = default);

    /// <summary>One page of an endpoint's deliveries, newest first, after the query's page token.</summary>
    Task<DeliveryPage> QueryAsync(string endpointId, DeliveryQuery query, CancellationToken cancellationToken = default);
}
