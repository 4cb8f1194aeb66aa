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
    [Id(6)] public string? ObjectType { get; init; }
    /// <summary>Created at or after.</summary>
    [Id(7)] public DateTimeOffset? CreatedAfter { get; init; }
    /// <summary>Created before.</summary>
    [Id(8)] public DateTimeOffset? CreatedBefore { get; init; }

    /// <summary>Whether a delivery passes the filters (the page token aside).</summary>
    public bool Matches(DeliveryRecord record) =>
        (WebhookId is null || record.WebhookId == WebhookId)
        && (EventId is null || record.EventId == EventId)
        && (Status is null || record.Status == Status)
        && (ObjectType is null || record.ObjectType == ObjectType)
        && (CreatedAfter is null || record.CreatedAt >= CreatedAfter)
        && (CreatedBefore is null || record.CreatedAt < CreatedBefore);
}
