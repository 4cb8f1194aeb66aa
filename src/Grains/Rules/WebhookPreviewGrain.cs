using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Webhooks.Conditions;
using Webhooks.Endpoints;
using Webhooks.Errors;
using Webhooks.Events;
using Webhooks.Templates;

namespace Webhooks.Rules;

/// <summary>Runs exactly what a webhook grain runs for an event (<see cref="WebhookProgram"/>: filters, condition,
/// templates; the endpoint's URL template as <see cref="EndpointRoutes"/> renders it) and returns the request
/// instead of handing it on. Stateless: any silo, as many at once as asked.</summary>
[GrainType("webhook-preview"), StatelessWorker]
internal sealed class WebhookPreviewGrain(TemplateCompiler templates, IOptions<ConditionOptions> conditions) : Grain, IWebhookPreviewGrain
{
    public async Task<WebhookPreview> PreviewAsync(string? webhookId, WebhookDefinition? definition, ObjectEvent item, CancellationToken cancellationToken)
    {
        var normalized = definition is not null
            ? WebhookValidator.Normalize(definition, templates, conditions.Value)
            : (await GrainFactory.GetGrain<IWebhookGrain>(webhookId ?? throw new InvalidFieldException("webhook_id", "or webhook is required"))
                .GetAsync(cancellationToken)).Definition;
        using var program = WebhookProgram.Compile(normalized, templates, conditions.Value);
        if (!program.Covers(item))
        {
            return new WebhookPreview { Error = $"the webhook does not take {item.ObjectType} {item.Event} events" };
        }

        var prepared = program.Prepare(item, webhookId ?? "", templates, traceParent: null);
        if (prepared.Outcome != PreparedOutcome.Ready)
        {
            return new WebhookPreview { Error = prepared.Error };
        }

        var (request, context, templated) = prepared.Delivery;
        string url;
        try
        {
            (url, var route) = await RouteAsync(normalized.EndpointIds, context, cancellationToken);
            request = route is null ? request : EndpointPayloads.Shape(request, context, templated, route);
        }
        catch (TemplateException ex)
        {
            return new WebhookPreview { Error = ex.Message };
        }

        return new WebhookPreview
        {
            Matched = true,
            HttpMethod = request.HttpMethod,
            Url = url,
            Headers = [new HttpHeader { Name = "Content-Type", Value = request.ContentType }, .. request.Headers],
            Body = request.Body,
        };
    }

    /// <summary>The first endpoint's URL for this event, and its route (how it shapes the body); an endpoint that does
    /// not exist is named as the field's error.</summary>
    private async Task<(string Url, EndpointRoute? Route)> RouteAsync(ImmutableArray<string> endpointIds, EventContext context, CancellationToken cancellationToken)
    {
        if (endpointIds.IsDefaultOrEmpty)
        {
            return ("", null);
        }

        EndpointRoute route;
        try
        {
            route = await GrainFactory.GetGrain<IEndpointGrain>(endpointIds[0]).GetRouteAsync(cancellationToken);
        }
        catch (ResourceNotFoundException)
        {
            throw new InvalidFieldException("webhook.endpoint_ids", $"endpoint '{endpointIds[0]}' does not exist");
        }

        return (route.IsTemplate ? EndpointRoutes.RenderUrl(templates, templates.Compile(route.Url, "endpoint.url", route.TemplateLanguage), context) : route.Url, route);
    }
}
