using System.Collections.Immutable;

namespace Webhooks.Deliveries;

[GenerateSerializer, Immutable, Alias("webhooks.DeliveryPage")]
public sealed record DeliveryPage
{
    [Id(0)] public ImmutableArray<DeliveryRecord> Items { get; init; } = [];
    /// <summary>Null on the last page.</summary>
    [Id(1)] public string? NextPageToken { get; init; }
}
