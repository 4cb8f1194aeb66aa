using System.Collections.Immutable;

namespace Webhooks.Catalog;

[GenerateSerializer, Alias("webhooks.CatalogState")]
public sealed class CatalogState
{
    [Id(0)] public ImmutableSortedSet<string> Ids { get; set; } = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);
}
