namespace Webhooks.Endpoints;

/// <summary>One per silo (key: the silo's address, <c>SiloAddress.ToParsableString()</c>): pushes the state changes
/// of the endpoints active on that silo to the observers subscribed to it, coalesced a few times a second.</summary>
[Alias("webhooks.IEndpointStateHubGrain")]
public interface IEndpointStateHubGrain : IGrainWithStringKey
{
    /// <summary>Subscribes, or renews a subscription, which lapses unless renewed within a minute (an observer that
    /// went away without unsubscribing is dropped then).</summary>
    [Alias("SubscribeAsync")]
    Task SubscribeAsync(IEndpointStateObserver observer);

    [Alias("UnsubscribeAsync")]
    Task UnsubscribeAsync(IEndpointStateObserver observer);
}
