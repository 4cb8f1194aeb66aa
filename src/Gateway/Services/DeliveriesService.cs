using Grpc.Core;
using Webhooks.Api.V1;
using Webhooks.Deliveries;
using Webhooks.Errors;
using Webhooks.Gateway.Mapping;

namespace Webhooks.Gateway.Services;

internal sealed class DeliveriesService(IGrainFactory grains) : Api.V1.Deliveries.DeliveriesBase
{
    private IDeliveryLogGrain Log => grains.GetGrain<IDeliveryLogGrain>(IDeliveryLogGrain.DefaultKey);

    public override async Task<ListDeliveriesResponse> ListDeliveries(ListDeliveriesRequest request, ServerCallContext context)
    {
        var page = await Log.ListAsync(DeliveryMapping.ToQuery(request), context.CancellationToken);
        var response = new ListDeliveriesResponse { NextPageToken = page.NextPageToken ?? "" };
        response.Deliveries.AddRange(page.Items.Select(DeliveryMapping.ToProto));
        return response;
    }

    public override async Task<Delivery> GetDelivery(GetDeliveryRequest request, ServerCallContext context)
    {
        if (request.Id.Length == 0)
        {
            throw new InvalidFieldException("id", "is required");
        }

        return DeliveryMapping.ToProto(await Log.GetAsync(request.Id, context.CancellationToken));
    }
}
