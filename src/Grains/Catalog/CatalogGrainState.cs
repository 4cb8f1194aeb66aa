using System.Collections.Immutable;

namespace Webhooks.Catalog;

/// <remarks>The alias keeps the name it was stored under.</remarks>
[GenerateSerializer, Alias("webhooks.CatalogState")]
public sealed class CatalogGrainState
{
    [Id(0)] public ImmutableSortedSet<string> Ids { get; set; } = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);
}
