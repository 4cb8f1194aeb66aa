using Orleans.Concurrency;
using Webhooks.Deliveries;
using Webhooks.Errors;
using Webhooks.Paging;

namespace Webhooks.DeliveryLog;

/// <summary>Answers delivery-log queries from <see cref="IDeliveryLog"/>: the database in durable mode, the silos'
/// memory in the embedded default.</summary>
[GrainType("delivery-log"), StatelessWorker]
internal sealed class DeliveryLogGrain(IDeliveryLog log) : Grain, IDeliveryLogGrain
{
    public async Task<DeliveryRecord> GetAsync(string deliveryId, CancellationToken cancellationToken)
    {
        if (!DeliveryId.TryParse(deliveryId, out var endpointId, out var sequence))
        {
            throw new InvalidFieldException("id", $"'{deliveryId}' is not a delivery id");
        }

        return await log.GetAsync(endpointId, sequence, cancellationToken) ?? throw new ResourceNotFoundException("delivery", deliveryId);
    }

    public async Task<DeliveryPage> ListAsync(DeliveryQuery query, CancellationToken cancellationToken)
    {
        _ = DeliveryCursor.FromToken(query.PageToken);
        var pageSize = Math.Min(PageSizes.Resolve(query.PageSize), DeliveryPages.MaxPageSize);
        return DeliveryPages.Fit(await log.QueryAsync(query with { PageSize = pageSize }, cancellationToken));
    }
}
