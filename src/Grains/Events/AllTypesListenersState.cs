using System.Collections.Immutable;

namespace Webhooks.Events;

[GenerateSerializer, Alias("webhooks.AllTypesListenersState")]
public sealed class AllTypesListenersState
{
    /// <summary>Ids of the webhooks subscribed, or about to subscribe, to the all-types stream.</summary>
    [Id(0)] public ImmutableArray<string> Webhooks { get; set; } = [];
}
