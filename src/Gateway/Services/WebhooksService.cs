using System.Collections.Immutable;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Webhooks.Gateway.Auth;
using Webhooks.Api.V1;
using Webhooks.Catalog;
using Webhooks.Errors;
using Webhooks.Paging;
using Webhooks.Gateway.Mapping;
using Webhooks.Resources;
using Webhooks.Rules;

namespace Webhooks.Gateway.Services;

internal sealed class WebhooksService(IGrainFactory grains, Microsoft.Extensions.Options.IOptions<Hosting.GatewayOptions> options, TimeProvider time)
    : Api.V1.Webhooks.WebhooksBase
{
    [Authorize(Policy = ApiRoles.AdminPolicy)]
    public override async Task<Webhook> CreateWebhook(CreateWebhookRequest request, ServerCallContext context)
    {
        var webhook = request.Webhook ?? throw new InvalidFieldException("webhook", "is required");
        var id = request.WebhookId.Length > 0 ? request.WebhookId : webhook.Id.Length > 0 ? webhook.Id : ResourceIds.New("wh");
        ResourceIds.Validate(id, "webhook_id");
        var info = await Grain(id).CreateAsync(WebhookMapping.ToDefinition(webhook), context.CancellationToken);
        return WebhookMapping.ToProto(info);
    }

    [Authorize(Policy = ApiRoles.ReadPolicy)]
    public override async Task<Webhook> GetWebhook(GetWebhookRequest request, ServerCallContext context) =>
        WebhookMapping.ToProto(await Grain(RequestIds.Existing(request.Id, "id", "webhook")).GetAsync(context.CancellationToken));

    [Authorize(Policy = ApiRoles.AdminPolicy)]
    public override async Task<Webhook> UpdateWebhook(UpdateWebhookRequest request, ServerCallContext context)
    {
        var webhook = request.Webhook ?? throw new InvalidFieldException("webhook", "is required");
        var id = RequestIds.Existing(webhook.Id, "webhook.id", "webhook");
        var info = await Grain(id).UpdateAsync(
            WebhookMapping.ToDefinition(webhook), WebhookMapping.Fields(webhook, request.UpdateMask), context.CancellationToken);
        return WebhookMapping.ToProto(info);
    }

    [Authorize(Policy = ApiRoles.AdminPolicy)]
    public override async Task<Empty> DeleteWebhook(DeleteWebhookRequest request, ServerCallContext context)
    {
        await Grain(RequestIds.Existing(request.Id, "id", "webhook")).DeleteAsync(context.CancellationToken);
        return new Empty();
    }

    [Authorize(Policy = ApiRoles.ReadPolicy)]
    public override async Task<ListWebhooksResponse> ListWebhooks(ListWebhooksRequest request, ServerCallContext context)
    {
        var page = await CatalogPaging.ReadAsync(grains, ICatalogGrain.Webhooks, request.PageSize, request.PageToken, context.CancellationToken);
        var infos = await Task.WhenAll(page.Ids.Select(id => Grain(id).GetAsync(context.CancellationToken)));
        var response = new ListWebhooksResponse { NextPageToken = CatalogPaging.NextToken(page) };
        response.Webhooks.AddRange(infos.Select(WebhookMapping.ToProto));
        return response;
    }

    [Authorize(Policy = ApiRoles.ReadPolicy)]
    public override async Task<ListDeadLettersResponse> ListDeadLetters(ListDeadLettersRequest request, ServerCallContext context)
    {
        var id = RequestIds.Existing(request.WebhookId, "webhook_id", "webhook");
        var pageSize = Math.Min(PageSizes.Resolve(request.PageSize), DeadLetterMapping.MaxPageSize);
        var page = await Grain(id).ListDeadLettersAsync(pageSize, CatalogPaging.Decode(request.PageToken) ?? "", context.CancellationToken);
        var response = new ListDeadLettersResponse { NextPageToken = page.NextAfter.Length > 0 ? CatalogPaging.Encode(page.NextAfter) : "" };
        response.DeadLetters.AddRange(page.Items.Select(DeadLetterMapping.ToProto));
        return response;
    }

    [Authorize(Policy = ApiRoles.AdminPolicy)]
    public override async Task<RequeueDeadLettersResponse> RequeueDeadLetters(RequeueDeadLettersRequest request, ServerCallContext context)
    {
        var id = RequestIds.Existing(request.WebhookId, "webhook_id", "webhook");
        var result = await Grain(id).RequeueDeadLettersAsync(Selection(request.EventIds, request.All), context.CancellationToken);
        return new RequeueDeadLettersResponse { Requeued = result.Requeued, Remaining = result.Remaining, Error = result.Error };
    }

    [Authorize(Policy = ApiRoles.AdminPolicy)]
    public override async Task<DiscardDeadLettersResponse> DiscardDeadLetters(DiscardDeadLettersRequest request, ServerCallContext context)
    {
        var id = RequestIds.Existing(request.WebhookId, "webhook_id", "webhook");
        var result = await Grain(id).DiscardDeadLettersAsync(Selection(request.EventIds, request.All), context.CancellationToken);
        return new DiscardDeadLettersResponse { Discarded = result.Discarded, Remaining = result.Remaining };
    }

    [Authorize(Policy = ApiRoles.ReadPolicy)]
    public override async Task<TestWebhookResponse> TestWebhook(TestWebhookRequest request, ServerCallContext context)
    {
        if ((request.WebhookId.Length > 0) == (request.Webhook is not null))
        {
            throw new InvalidFieldException("webhook_id", "name a stored webhook, or send an unsaved webhook (not both)");
        }

        var item = EventMapping.ToDomain(request.Event, "event", time.GetUtcNow(), options.Value.MaxEventBytes) with { AcceptedAt = time.GetUtcNow() };
        var id = request.WebhookId.Length > 0 ? RequestIds.Existing(request.WebhookId, "webhook_id", "webhook") : null;
        var preview = await grains.GetGrain<IWebhookPreviewGrain>(0).PreviewAsync(
            id, request.Webhook is { } webhook ? WebhookMapping.ToDefinition(webhook) : null, item, context.CancellationToken);
        var response = new TestWebhookResponse
        {
            Matched = preview.Matched,
            HttpMethod = preview.HttpMethod,
            Url = preview.Url,
            Body = preview.Body,
            Error = preview.Error,
        };
        response.Headers.AddRange(preview.Headers.Select(h => new Header { Name = h.Name, Value = h.Value }));
        return response;
    }

    /// <summary>Event ids, or none for all of them, which must be asked for by name.</summary>
    private static ImmutableArray<string> Selection(Google.Protobuf.Collections.RepeatedField<string> eventIds, bool all)
    {
        if (eventIds.Count > 0 == all)
        {
            throw new InvalidFieldException("event_ids", "name the dead letters by event id, or set all (not both)");
        }

        if (eventIds.Count > DeadLetterMapping.MaxPageSize * 10 || eventIds.Any(e => e.Length is 0 or > EventMapping.MaxEventIdLength))
        {
            throw new InvalidFieldException("event_ids", $"must be at most {DeadLetterMapping.MaxPageSize * 10} event ids of 1 to {EventMapping.MaxEventIdLength} characters");
        }

        return [.. eventIds];
    }

    private IWebhookGrain Grain(string id) => grains.GetGrain<IWebhookGrain>(id);
}
