namespace Webhooks.Deliveries;

/// <summary>Filters for the delivery log; null means "any". Results are newest first.</summary>
[GenerateSerializer, Immutable, Alias("webhooks.DeliveryQuery")]
public sealed record DeliveryQuery
{
    [Id(0)] public string? EndpointId { get; init; }
    [Id(1)] public string? WebhookId { get; init; }
    [Id(2)] public string? EventId { get; init; }
    [Id(3)] public DeliveryStatus? Status { get; init; }
    /// <summary>See <see cref="Paging.PageSizes"/>.</summary>
    [Id(4)] public int PageSize { get; init; } = Paging.PageSizes.Default;
    /// <summary>Opaque continuation returned by the previous page.</summary>
    [Id(5)] public string? PageToken { get; init; }
}
