using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Webhooks.Gateway.Auth;
using Webhooks.Api.V1;
using Webhooks.Deliveries;
using Webhooks.Endpoints;
using Webhooks.Resources;
using Webhooks.Errors;
using Webhooks.Gateway.Mapping;

namespace Webhooks.Gateway.Services;

internal sealed class DeliveriesService(IGrainFactory grains) : Api.V1.Deliveries.DeliveriesBase
{
    private IDeliveryLogGrain Log => grains.GetGrain<IDeliveryLogGrain>(IDeliveryLogGrain.DefaultKey);

    [Authorize(Policy = ApiRoles.ReadPolicy)]
    public override async Task<ListDeliveriesResponse> ListDeliveries(ListDeliveriesRequest request, ServerCallContext context)
    {
        var page = await Log.ListAsync(DeliveryMapping.ToQuery(request), context.CancellationToken);
        var response = new ListDeliveriesResponse { NextPageToken = page.NextPageToken ?? "" };
        response.Deliveries.AddRange(page.Items.Select(DeliveryMapping.ToProto));
        return response;
    }

    [Authorize(Policy = ApiRoles.ReadPolicy)]
    public override async Task<Delivery> GetDelivery(GetDeliveryRequest request, ServerCallContext context)
    {
        if (request.Id.Length == 0)
        {
            throw new InvalidFieldException("id", "is required");
        }

        return DeliveryMapping.ToProto(await Log.GetAsync(request.Id, context.CancellationToken));
    }

    [Authorize(Policy = ApiRoles.AdminPolicy)]
    public override async Task<Delivery> RedeliverDelivery(RedeliverDeliveryRequest request, ServerCallContext context)
    {
        if (!DeliveryId.TryParse(request.Id, out var endpointId, out _))
        {
            throw new InvalidFieldException("id", request.Id.Length == 0 ? "is required" : $"'{request.Id}' is not a delivery id");
        }

        return DeliveryMapping.ToProto(await grains.GetGrain<IEndpointGrain>(endpointId).RedeliverAsync(request.Id, context.CancellationToken));
    }

    [Authorize(Policy = ApiRoles.AdminPolicy)]
    public override async Task<ReplayDeliveriesResponse> ReplayDeliveries(ReplayDeliveriesRequest request, ServerCallContext context)
    {
        ResourceIds.Validate(request.EndpointId, "endpoint_id");
        if (request.Since is null)
        {
            throw new InvalidFieldException("since", "is required");
        }

        var result = await grains.GetGrain<IEndpointGrain>(request.EndpointId)
            .ReplayAsync(ProtoTime.ToDateTimeOffset(request.Since, "since"), DeliveryMapping.ToStatus(request.Status), context.CancellationToken);
        return new ReplayDeliveriesResponse { Requeued = result.Requeued, Truncated = result.Truncated };
    }

    [Authorize(Policy = ApiRoles.AdminPolicy)]
    public override async Task<Delivery> SendTestEvent(SendTestEventRequest request, ServerCallContext context)
    {
        ResourceIds.Validate(request.EndpointId, "endpoint_id");
        return DeliveryMapping.ToProto(await grains.GetGrain<IEndpointGrain>(request.EndpointId).SendTestEventAsync(context.CancellationToken));
    }
}
