namespace Webhooks.Deliveries;

[GenerateSerializer, Alias("webhooks.DeliveryStatus")]
public enum DeliveryStatus
{
    /// <summary>Queued, in flight or waiting for a retry.</summary>
    Pending = 1,
    Succeeded = 2,
    /// <summary>Gave up after the last allowed attempt.</summary>
    Failed = 3,
}
