using System.Collections.Immutable;
using Webhooks.Deliveries;
using Webhooks.Endpoints;
using Webhooks.Errors;
using Webhooks.Templates;

namespace Webhooks.Rules;

/// <summary>How a webhook addresses its endpoints, and the hand-off of rendered requests to them. Each endpoint's
/// route (URL, whether it is a template, its version) is looked up once per activation and cached; an endpoint
/// whose URL changed since refuses a batch as stale and sends its new route back.</summary>
/// <remarks>Not thread-safe: the webhook grain's turns use it one at a time.</remarks>
internal sealed class EndpointRoutes(IGrainFactory grains, TemplateCompiler templates, WebhookStatsRecorder stats)
{
    // Rounds a batch gets when every answer says the URL changed again in between.
    private const int MaxRounds = 3;

    private readonly Dictionary<string, CachedRoute> _routes = new(StringComparer.Ordinal);

    public void Clear() => _routes.Clear();

    /// <summary>Records the webhook as a user of every endpoint (see <see cref="IEndpointGrain.AttachWebhookAsync"/>) and
    /// caches their routes; throws <see cref="InvalidFieldException"/> naming the first endpoint that does not exist,
    /// unless <paramref name="skipMissing"/> (a stored definition's: deliveries to it are recorded as errors).</summary>
    public async Task AttachAsync(string webhookId, ImmutableArray<string> endpointIds, CancellationToken cancellationToken, bool skipMissing = false)
    {
        foreach (var id in endpointIds)
        {
            try
            {
                Cache(id, await grains.GetGrain<IEndpointGrain>(id).AttachWebhookAsync(webhookId, cancellationToken));
            }
            catch (ResourceNotFoundException) when (!skipMissing)
            {
                throw new InvalidFieldException("webhook.endpoint_ids", $"endpoint '{id}' does not exist");
            }
            catch (ResourceNotFoundException)
            {
            }
        }
    }

    /// <summary>Tells endpoints the webhook no longer delivers to them. Best effort: one that is not told keeps a stale
    /// entry, which it checks against the webhook before acting on it.</summary>
    public async Task<Exception?> DetachAsync(string webhookId, IEnumerable<string> endpointIds)
    {
        Exception? failure = null;
        foreach (var id in endpointIds)
        {
            _routes.Remove(id);
            try
            {
                await grains.GetGrain<IEndpointGrain>(id).DetachWebhookAsync(webhookId);
            }
            catch (Exception ex)
            {
                failure ??= ex;
            }
        }

        return failure;
    }

    /// <summary>Hands requests to one endpoint. Throws (and the stream redelivers the batch later) only when the
    /// endpoint stays full or keeps changing its URL; an endpoint that no longer exists is recorded as an error.</summary>
    public async Task HandOffAsync(string endpointId, IReadOnlyList<PendingDelivery> pending)
    {
        var endpoint = grains.GetGrain<IEndpointGrain>(endpointId);
        try
        {
            if (!_routes.TryGetValue(endpointId, out var route))
            {
                route = Cache(endpointId, await endpoint.GetRouteAsync());
            }

            for (var round = 0; round < MaxRounds; round++)
            {
                var result = await endpoint.EnqueueAsync(Address(endpointId, route, pending));
                if (result.Outcome == EnqueueOutcome.Accepted)
                {
                    stats.Created(result.Created);
                    return;
                }

                route = Cache(endpointId, result.Route
                    ?? throw new InvalidOperationException($"endpoint {endpointId} answered {result.Outcome} without a route"));
            }
        }
        catch (ResourceNotFoundException)
        {
            stats.Error($"endpoint '{endpointId}' does not exist");
            return;
        }

        throw new EndpointBusyException($"endpoint {endpointId} kept changing its URL; the events will be redelivered");
    }

    private ImmutableArray<DeliveryRequest> Address(string endpointId, CachedRoute route, IReadOnlyList<PendingDelivery> pending)
    {
        var requests = ImmutableArray.CreateBuilder<DeliveryRequest>(pending.Count);
        var template = route.Template(templates);
        foreach (var (rendered, context, templated) in pending)
        {
            var request = EndpointPayloads.Shape(rendered, context, templated, route.Route);
            if (template is null)
            {
                requests.Add(request with { UrlVersion = route.Route.UrlVersion });
                continue;
            }

            try
            {
                requests.Add(request with { Url = RenderUrl(templates, template, context), UrlVersion = route.Route.UrlVersion });
            }
            catch (TemplateException ex)
            {
                stats.TemplateFailed(request.EventId, $"endpoint {endpointId}: {ex.Message}");
            }
        }

        return requests.DrainToImmutable();
    }

    /// <summary>Renders an endpoint's URL template for one event; throws <see cref="TemplateException"/> unless it
    /// makes an absolute http(s) URL.</summary>
    public static string RenderUrl(TemplateCompiler templates, CompiledTemplate template, EventContext context)
    {
        var url = templates.Render(template, context, ContextUse.All, "URL").Trim();
        if (url.Any(char.IsControl))
        {
            throw new TemplateException("URL template rendered a control character; encode the value, e.g. with | urlencode");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new TemplateException($"URL template rendered '{url}', which is not an absolute http(s) URL");
        }

        return url;
    }

    private CachedRoute Cache(string endpointId, EndpointRoute route) => _routes[endpointId] = new CachedRoute(route);

    /// <summary>A route, and its URL template compiled when first used: a template that no longer compiles (stricter
    /// limits since it was stored) fails the hand-off, not the webhook's create or update.</summary>
    private sealed class CachedRoute(EndpointRoute route)
    {
        private CompiledTemplate? _template;

        public EndpointRoute Route { get; } = route;

        public CompiledTemplate? Template(TemplateCompiler templates) =>
            Route.IsTemplate ? _template ??= templates.Compile(Route.Url, "endpoint.url", Route.TemplateLanguage) : null;
    }
}
