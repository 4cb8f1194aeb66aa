using System.Collections.Immutable;

namespace Webhooks.Events;

/// <summary>One per object type (key: "dcim.device"): the entry point that fans events out over streams.</summary>
[Alias("webhooks.IObjectTypeGrain")]
public interface IObjectTypeGrain : IGrainWithStringKey
{
    /// <summary>Publishes events of this grain's type, in order. Waits while the stream queue is full;
    /// event ids already accepted are acknowledged without being published again.</summary>
    [Alias("PublishAsync")]
    Task PublishAsync(ImmutableArray<ObjectEvent> events, CancellationToken cancellationToken = default);
}
