using System.Collections.Immutable;
using Webhooks.Errors;
using Webhooks.Rules;

namespace Webhooks.Endpoints;

/// <summary>Which webhooks deliver to an endpoint, so that deleting it names them, or (forced) takes it out of them.</summary>
/// <remarks>A webhook attaches before it stores a definition naming the endpoint and detaches after it stopped
/// naming it, so the set holds every webhook that does, and possibly one whose write failed in between: before the
/// set decides anything, each entry is checked against the webhook itself and the stale ones are dropped. Kept in
/// the endpoint's state because that is the grain a delete goes to; one entry per webhook that uses it.</remarks>
internal sealed class EndpointUsers(string endpointId, EndpointStateWriter endpoint, IGrainFactory grains)
{
    /// <summary>How many webhooks a refused delete names before it says how many more there are.</summary>
    private const int NamedInError = 10;

    public ImmutableSortedSet<string> Current => endpoint.State.WebhookIds;

    public async Task<EndpointRoute> AttachAsync(string webhookId, CancellationToken cancellationToken)
    {
        if (endpoint.Definition is null)
        {
            throw new ResourceNotFoundException("endpoint", endpointId);
        }

        var state = endpoint.State;
        if (!state.WebhookIds.Contains(webhookId))
        {
            state.WebhookIds = state.WebhookIds.Add(webhookId);
            await endpoint.WriteAsync(cancellationToken);
        }

        return state.Route();
    }

    public async Task DetachAsync(string webhookId, CancellationToken cancellationToken)
    {
        var state = endpoint.State;
        if (endpoint.Definition is not null && state.WebhookIds.Contains(webhookId))
        {
            state.WebhookIds = state.WebhookIds.Remove(webhookId);
            await endpoint.WriteAsync(cancellationToken);
        }
    }

    /// <summary>Drops the entries of webhooks that do not exist or no longer name this endpoint.</summary>
    public async Task DropStaleAsync(CancellationToken cancellationToken)
    {
        var stale = new List<string>();
        foreach (var webhookId in Current)
        {
            try
            {
                var info = await grains.GetGrain<IWebhookGrain>(webhookId).GetAsync(cancellationToken);
                if (!info.Definition.EndpointIds.Contains(endpointId, StringComparer.Ordinal))
                {
                    stale.Add(webhookId);
                }
            }
            catch (ResourceNotFoundException)
            {
                stale.Add(webhookId);
            }
        }

        if (stale.Count > 0 && endpoint.Definition is not null)
        {
            endpoint.State.WebhookIds = endpoint.State.WebhookIds.Except(stale);
            await endpoint.WriteAsync(cancellationToken);
        }
    }

    /// <summary>Refuses a delete while <paramref name="users"/> is not empty, naming them.</summary>
    public void ThrowIfUsed(ImmutableSortedSet<string> users)
    {
        if (users.Count == 0)
        {
            return;
        }

        var named = string.Join(", ", users.Take(NamedInError).Select(id => $"'{id}'"));
        var more = users.Count > NamedInError ? $" and {users.Count - NamedInError} more" : "";
        throw new FailedPreconditionException(
            $"endpoint '{endpointId}' is used by webhook{(users.Count == 1 ? "" : "s")} {named}{more}; "
            + "take it out of their endpoint_ids first, or delete with force=true to do that for you");
    }

    /// <summary>Takes the (deleted) endpoint out of each webhook; a webhook left with none is disabled.</summary>
    public async Task RemoveFromAsync(ImmutableSortedSet<string> users, CancellationToken cancellationToken)
    {
        foreach (var webhookId in users)
        {
            await grains.GetGrain<IWebhookGrain>(webhookId).RemoveEndpointAsync(endpointId, cancellationToken);
        }
    }
}
