using Webhooks.DeliveryLog;

namespace Webhooks.Endpoints.Watching;

/// <summary>Lets observers subscribe to this silo's <see cref="EndpointStateFeed"/>.</summary>
[GrainType("endpoint-state-hub"), SiloPinnedPlacement]
internal sealed class EndpointStateHubGrain(EndpointStateFeed feed) : Grain, IEndpointStateHubGrain
{
    public Task SubscribeAsync(IEndpointStateObserver observer)
    {
        feed.Subscribe(observer);
        return Task.CompletedTask;
    }

    public Task UnsubscribeAsync(IEndpointStateObserver observer)
    {
        feed.Unsubscribe(observer);
        return Task.CompletedTask;
    }
}
