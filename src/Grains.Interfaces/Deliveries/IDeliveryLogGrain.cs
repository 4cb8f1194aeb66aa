namespace Webhooks.Deliveries;

/// <summary>Reads the delivery log across endpoints. Stateless: use any key, e.g. <see cref="DefaultKey"/>.</summary>
[Alias("webhooks.IDeliveryLogGrain")]
public interface IDeliveryLogGrain : IGrainWithIntegerKey
{
    public const long DefaultKey = 0;

    [Alias("ListAsync")]
    Task<DeliveryPage> ListAsync(DeliveryQuery query, CancellationToken cancellationToken = default);

    /// <summary>Throws <see cref="Errors.ResourceNotFoundException"/> when there is no such delivery.</summary>
    [Alias("GetAsync")]
    Task<DeliveryRecord> GetAsync(string deliveryId, CancellationToken cancellationToken = default);
}
