using Webhooks.Deliveries;

namespace Webhooks.DeliveryLog;

/// <summary>Where endpoint grains record their deliveries and every attempt: the delivery log, and in durable
/// mode also each endpoint's queue (its pending deliveries), read back when the grain activates.</summary>
/// <remarks>Writes come only from the endpoint grain that owns the records, one at a time per delivery.</remarks>
public interface IDeliveryStore
{
    /// <summary>Records new deliveries before their first attempt. A record whose (event, webhook) the endpoint
    /// already has is skipped: redelivered events create no second delivery.</summary>
    /// <returns>The records that were added, in the order given.</returns>
    Task<IReadOnlyList<DeliveryRecord>> AddAsync(IReadOnlyList<DeliveryRecord> records, CancellationToken cancellationToken = default);

    /// <summary>Stores a delivery's new status, next attempt time and its latest attempt.</summary>
    Task UpdateAsync(DeliveryRecord record, CancellationToken cancellationToken = default);

    /// <summary>Pending deliveries of an endpoint with a sequence after <paramref name="afterSequence"/> and before
    /// <paramref name="beforeSequence"/>, in sequence order: at most <paramref name="limit"/>, and none after the one
    /// that brings their <see cref="DeliverySize.Request"/> to <paramref name="maxBytes"/> (the first always comes).</summary>
    Task<IReadOnlyList<DeliveryRecord>> LoadPendingAsync(string endpointId, long afterSequence, long beforeSequence, int limit, long maxBytes, CancellationToken cancellationToken = default);

    Task<DeliveryRecord?> GetAsync(string endpointId, long sequence, CancellationToken cancellationToken = default);

    /// <summary>Marks up to <paramref name="limit"/> of an endpoint's pending deliveries failed (the endpoint was
    /// deleted); returns how many. Callers repeat until it returns less than the limit.</summary>
    Task<int> FailPendingAsync(string endpointId, int limit, CancellationToken cancellationToken = default);

    /// <summary>One page of the log, newest first, after the query's page token. A null endpoint means every
    /// endpoint the store holds.</summary>
    Task<DeliveryPage> QueryAsync(DeliveryQuery query, CancellationToken cancellationToken = default);
}
