namespace Webhooks.Endpoints;

/// <summary>Whether a delivery waiting for a retry holds later ones back.</summary>
[GenerateSerializer, Alias("webhooks.DeliveryOrdering")]
public enum DeliveryOrdering
{
    /// <summary>A retrying delivery keeps its in-flight slot: with max_in_flight = 1, strict first-in first-out.</summary>
    Fifo = 0,

    /// <summary>A delivery waiting for its retry gives its slot to the next one; later deliveries overtake it.</summary>
    None = 1,
}
