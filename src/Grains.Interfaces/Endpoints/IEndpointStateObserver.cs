using System.Collections.Immutable;
using Orleans.Concurrency;

namespace Webhooks.Endpoints;

/// <summary>Receives endpoint states as they change: one per process that serves watchers (a gateway), whatever
/// the number of watchers it serves.</summary>
[Alias("webhooks.IEndpointStateObserver")]
public interface IEndpointStateObserver : IGrainObserver
{
    /// <summary>The latest state of each endpoint that changed since the last call, from one silo.</summary>
    [Alias("OnStates"), OneWay]
    Task OnStates(ImmutableArray<EndpointStatus> states);
}
