using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Webhooks.Gateway.Auth;
using Webhooks.Api.V1;
using Webhooks.Catalog;
using Webhooks.Errors;
using Webhooks.Gateway.Mapping;
using Webhooks.Resources;
using Webhooks.Rules;

namespace Webhooks.Gateway.Services;

internal sealed class WebhooksService(IGrainFactory grains) : Api.V1.Webhooks.WebhooksBase
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

    private IWebhookGrain Grain(string id) => grains.GetGrain<IWebhookGrain>(id);
}
