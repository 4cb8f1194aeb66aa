using System.Collections.Immutable;
using Orleans.Concurrency;

namespace Webhooks.Rules;

/// <summary>One per webhook (key: webhook id): holds the rule and subscribes to the object types it covers.</summary>
[Alias("webhooks.IWebhookGrain")]
public interface IWebhookGrain : IGrainWithStringKey
{
    /// <summary>Validates (condition and templates compiled, endpoints exist) and stores the webhook.</summary>
    [Alias("CreateAsync")]
    Task<WebhookInfo> CreateAsync(WebhookDefinition definition, CancellationToken cancellationToken = default);

    [Alias("GetAsync"), AlwaysInterleave]
    Task<WebhookInfo> GetAsync(CancellationToken cancellationToken = default);

    /// <summary>Replaces the named fields (see <see cref="WebhookField"/>) with those of <paramref name="changes"/>.</summary>
    [Alias("UpdateAsync")]
    Task<WebhookInfo> UpdateAsync(WebhookDefinition changes, ImmutableArray<string> fields, CancellationToken cancellationToken = default);

    [Alias("DeleteAsync")]
    Task DeleteAsync(CancellationToken cancellationToken = default);

    /// <summary>Stops delivering to an endpoint that is being deleted: it leaves <see cref="WebhookDefinition.EndpointIds"/>,
    /// and a webhook left with none is disabled. Idempotent; nothing when the webhook does not name it.</summary>
    [Alias("RemoveEndpointAsync")]
    Task RemoveEndpointAsync(string endpointId, CancellationToken cancellationToken = default);

    /// <summary>The events this webhook set aside as poison, oldest first, after the event id <paramref name="after"/>.</summary>
    [Alias("ListDeadLettersAsync"), AlwaysInterleave]
    Task<DeadLetterPage> ListDeadLettersAsync(int pageSize, string after, CancellationToken cancellationToken = default);

    /// <summary>Processes dead letters again, in the order they were accepted, as the webhook is defined now; each one
    /// that goes through leaves the list. Empty <paramref name="eventIds"/>: all of them.</summary>
    [Alias("RequeueDeadLettersAsync")]
    Task<RequeueResult> RequeueDeadLettersAsync(ImmutableArray<string> eventIds, CancellationToken cancellationToken = default);

    /// <summary>Drops dead letters for good. Empty <paramref name="eventIds"/>: all of them.</summary>
    [Alias("DiscardDeadLettersAsync")]
    Task<DiscardResult> DiscardDeadLettersAsync(ImmutableArray<string> eventIds, CancellationToken cancellationToken = default);
}
