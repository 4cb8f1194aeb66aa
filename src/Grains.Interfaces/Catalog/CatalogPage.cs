using System.Collections.Immutable;

namespace Webhooks.Catalog;

[GenerateSerializer, Immutable, Alias("webhooks.CatalogPage")]
public sealed record CatalogPage
{
    [Id(0)] public ImmutableArray<string> Ids { get; init; } = [];
    /// <summary>True when more ids follow the last one returned.</summary>
    [Id(1)] public bool HasMore { get; init; }
}
