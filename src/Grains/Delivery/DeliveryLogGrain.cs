using System.Collections.Immutable;
using Orleans.Concurrency;
using Webhooks.Catalog;
using Webhooks.Deliveries;
using Webhooks.Endpoints;
using Webhooks.Errors;

namespace Webhooks.Delivery;

/// <summary>Answers delivery-log queries. A durable log is queried directly. In memory mode a query for one
/// endpoint goes to that endpoint's grain (whose silo holds its log), and a query across endpoints merges their
/// newest-first pages.</summary>
[GrainType("delivery-log"), StatelessWorker]
internal sealed class DeliveryLogGrain(IDeliveryStore store) : Grain, IDeliveryLogGrain
{
    private const int CatalogPage = 500;

    public async Task<DeliveryRecord> GetAsync(string deliveryId, CancellationToken cancellationToken)
    {
        if (!DeliveryId.TryParse(deliveryId, out var endpointId, out var sequence))
        {
            throw new InvalidFieldException("id", $"'{deliveryId}' is not a delivery id");
        }

        if (store.IsDurable)
        {
            return await store.GetAsync(endpointId, sequence, cancellationToken)
                ?? throw new ResourceNotFoundException("delivery", deliveryId);
        }

        return await GrainFactory.GetGrain<IEndpointGrain>(endpointId).GetDeliveryAsync(deliveryId, cancellationToken)
            ?? throw new ResourceNotFoundException("delivery", deliveryId);
    }

    public async Task<DeliveryPage> ListAsync(DeliveryQuery query, CancellationToken cancellationToken)
    {
        var pageSize = query.PageSize switch
        {
            0 => DeliveryQuery.DefaultPageSize,
            < 0 => throw new InvalidFieldException("page_size", "must not be negative"),
            > DeliveryQuery.MaxPageSize => DeliveryQuery.MaxPageSize,
            var size => size,
        };
        query = query with { PageSize = pageSize };
        _ = DeliveryCursor.FromToken(query.PageToken);
        if (store.IsDurable)
        {
            return await store.QueryAsync(query, cancellationToken);
        }

        if (query.EndpointId is { } endpointId)
        {
            return await GrainFactory.GetGrain<IEndpointGrain>(endpointId).ListDeliveriesAsync(query, cancellationToken);
        }

        var pages = new List<Task<DeliveryPage>>();
        var catalog = GrainFactory.GetGrain<ICatalogGrain>(ICatalogGrain.Endpoints);
        string? after = null;
        while (true)
        {
            var ids = await catalog.ListAsync(CatalogPage, after, cancellationToken);
            foreach (var id in ids.Ids)
            {
                pages.Add(GrainFactory.GetGrain<IEndpointGrain>(id).ListDeliveriesAsync(query with { EndpointId = id }, cancellationToken));
            }

            if (!ids.HasMore || ids.Ids.IsEmpty)
            {
                break;
            }

            after = ids.Ids[^1];
        }

        var results = await Task.WhenAll(pages);
        var merged = results.SelectMany(p => p.Items).OrderBy(DeliveryCursor.Of).ToList();
        var more = merged.Count > pageSize || results.Any(p => p.NextPageToken is not null);
        var items = merged.Take(pageSize).ToImmutableArray();
        return new DeliveryPage
        {
            Items = items,
            NextPageToken = more && items.Length > 0 ? DeliveryCursor.Of(items[^1]).ToToken() : null,
        };
    }
}
